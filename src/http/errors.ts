import type { ErrorRequestHandler, Request, RequestHandler, Response } from "express";
import type { Logger } from "pino";
import type { ZodError } from "zod";
import { ConflictError, NotFoundError } from "../domain/errors";
import { SubjectErasedError } from "../eventstore/eventStore";
import {
  codeOfEnglish,
  type FieldProblem,
  fieldProblems,
  type MessageCode,
  type MessageParams,
} from "../i18n";
import { languageOf, localize } from "./language";

/** Bad input, with the fields it concerns. */
export class ValidationError extends Error {
  constructor(readonly details: readonly FieldProblem[]) {
    super(`Invalid request: ${details.map((d) => d.field).join(", ")}`);
    this.name = "ValidationError";
  }

  static fromZod(error: ZodError, prefix?: string): ValidationError {
    return new ValidationError(fieldProblems(error, prefix));
  }
}

/** An error whose answer is one catalogue message; `message` (for logs) is its code. */
abstract class CodedError extends Error {
  constructor(
    readonly code: MessageCode,
    readonly params: MessageParams = {},
  ) {
    super(code);
  }
}

/** No credential, or one that proves nothing: 401. */
export class UnauthorizedError extends CodedError {
  override name = "UnauthorizedError";
}

/** A proven caller asking to act as someone else: 403. */
export class ForbiddenError extends CodedError {
  override name = "ForbiddenError";
}

/**
 * Writes an error answer: `error` is the catalogue's text in the caller's language, `code` the stable,
 * language-free key a client can branch on.
 */
export function sendError(
  req: Request,
  res: Response,
  status: number,
  code: MessageCode,
  params?: MessageParams,
  extra: Record<string, unknown> = {},
): void {
  res.status(status).json({ error: localize(req, res, code, params), code, ...extra });
}

export const notFoundRoute: RequestHandler = (req, res) => {
  sendError(req, res, 404, "not_found");
};

function sendInvalid(req: Request, res: Response, details: readonly FieldProblem[]): void {
  const language = languageOf(req, res);
  sendError(req, res, 400, "invalid_request", undefined, {
    details: details.map((d) => ({
      field: d.field,
      code: d.code,
      message: localize(req, res, d.code, d.params, language),
    })),
  });
}

/** The one place where errors become HTTP answers: a clear body with an `error` string, never a stack or SQL. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    if (res.headersSent) return;
    if (err instanceof ValidationError) return sendInvalid(req, res, err.details);
    if (err instanceof UnauthorizedError) {
      res.set("WWW-Authenticate", "Bearer");
      return sendError(req, res, 401, err.code, err.params);
    }
    if (err instanceof ForbiddenError) return sendError(req, res, 403, err.code, err.params);
    // Domain errors are worded in English by the domain; the catalogue knows their codes and translations.
    if (err instanceof NotFoundError)
      return sendError(req, res, 404, codeOfEnglish(err.message, "not_found"));
    if (err instanceof SubjectErasedError) return sendError(req, res, 410, "data_subject_erased");
    if (err instanceof ConflictError) return sendError(req, res, 409, codeOfEnglish(err.message, "conflict"));
    const type = (err as { type?: string }).type;
    if (type === "entity.parse.failed") {
      return sendInvalid(req, res, [{ field: "body", code: "field_malformed_json" }]);
    }
    if (type === "entity.too.large") return sendError(req, res, 413, "body_too_large");
    const status = (err as { status?: number }).status;
    if (typeof status === "number" && status >= 400 && status < 500) {
      return sendInvalid(req, res, [{ field: "body", code: "field_invalid" }]);
    }
    logger.error({ err, url: req.originalUrl }, "request failed");
    sendError(req, res, 500, "internal_error");
  };
}
