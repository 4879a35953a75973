import type { ErrorRequestHandler, RequestHandler } from "express";
import type { Logger } from "pino";
import type { ZodError } from "zod";
import { ConflictError, NotFoundError } from "../commands/errors";
import { SubjectErasedError } from "../privacy/keyStore";

/** Bad input, with the fields it concerns. */
export class ValidationError extends Error {
  constructor(readonly details: { field: string; message: string }[]) {
    super("Invalid request");
    this.name = "ValidationError";
  }

  static fromZod(error: ZodError, prefix?: string): ValidationError {
    return new ValidationError(
      error.issues.map((i) => ({
        field: [prefix, ...i.path.map(String)].filter((p) => p !== undefined && p !== "").join(".") || "body",
        message: i.message,
      })),
    );
  }
}

/** No credential, or one that proves nothing: 401. */
export class UnauthorizedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UnauthorizedError";
  }
}

/** A proven caller asking to act as someone else: 403. */
export class ForbiddenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ForbiddenError";
  }
}

export const notFoundRoute: RequestHandler = (_req, res) => {
  res.status(404).json({ error: "Not found" });
};

/** The one place where errors become HTTP answers: a clear body with an `error` string, never a stack or SQL. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    if (res.headersSent) return;
    if (err instanceof ValidationError) {
      res.status(400).json({ error: "Invalid request", details: err.details });
      return;
    }
    if (err instanceof UnauthorizedError) {
      res.status(401).set("WWW-Authenticate", "Bearer").json({ error: err.message });
      return;
    }
    if (err instanceof ForbiddenError) {
      res.status(403).json({ error: err.message });
      return;
    }
    if (err instanceof NotFoundError) {
      res.status(404).json({ error: err.message });
      return;
    }
    if (err instanceof SubjectErasedError) {
      res.status(410).json({ error: err.message });
      return;
    }
    if (err instanceof ConflictError) {
      res.status(409).json({ error: err.message });
      return;
    }
    const type = (err as { type?: string }).type;
    if (type === "entity.parse.failed") {
      res
        .status(400)
        .json({ error: "Invalid request", details: [{ field: "body", message: "Malformed JSON" }] });
      return;
    }
    if (type === "entity.too.large") {
      res.status(413).json({ error: "Request body too large" });
      return;
    }
    const status = (err as { status?: number }).status;
    if (typeof status === "number" && status >= 400 && status < 500) {
      res.status(status).json({
        error: "Invalid request",
        details: [{ field: "body", message: String(type ?? "Bad request") }],
      });
      return;
    }
    logger.error({ err, url: req.originalUrl }, "request failed");
    res.status(500).json({ error: "Internal server error" });
  };
}
