import { createHash } from "node:crypto";
import type { RequestHandler, Response } from "express";
import type { Logger } from "pino";
import { uuidField } from "../commands/fields";
import type { IdempotencyStore, IdempotentRequest } from "../ops/idempotencyStore";
import { sendError, ValidationError } from "./errors";
import { callerOf } from "./identityAuth";

const MUTATING = new Set(["POST", "PUT", "PATCH", "DELETE"]);
const ANONYMOUS = "anonymous";
const HEADER = "Idempotency-Key";

/** Who the key belongs to: the verified caller, else the browser the anonymous request speaks for. */
function callerKey(res: Response, body: unknown): string {
  const caller = callerOf(res);
  if (caller.staff) return `staff:${caller.staff.id}`;
  if (caller.ossUser) return `oss:${caller.ossUser.ossUserId}`;
  if (caller.browserUuid) return `browser:${caller.browserUuid}`;
  const claimed = (body as { browser_uuid?: unknown } | null)?.browser_uuid;
  return typeof claimed === "string" ? `browser:${claimed.toLowerCase()}` : ANONYMOUS;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * `Idempotency-Key` for every command (POST, PUT, PATCH, DELETE): the first request with a key runs and its
 * answer (status and body) is stored before it is sent; a retry with the same key, caller, method, path and body
 * gets that answer again (`Idempotency-Replayed: true`) and runs nothing; the same key with another request is
 * 422. Concurrent duplicates wait for the first one's answer. A 5xx answer is not kept, so a retry runs again.
 * Mount it once, after authentication and the staff areas' role checks, in front of every command router; a
 * caller with no credential at all is not keyed (the route refuses it).
 */
export function idempotencyKeys(
  store: IdempotencyStore,
  logger: Logger,
  options: { waitMs?: number } = {},
): RequestHandler {
  const waitMs = options.waitMs ?? 10_000;
  const keyed: RequestHandler = async (req, res, next) => {
    const caller = callerKey(res, req.body);
    // No one to scope the key to: the route refuses the call (401), and strangers must not share answers.
    if (caller === ANONYMOUS) return next();
    const key = req.get(HEADER) as string;
    const parsed = uuidField.safeParse(key);
    if (!parsed.success) return next(new ValidationError([{ field: HEADER, code: "field_uuid" }]));
    const request: IdempotentRequest = {
      key: parsed.data.toLowerCase(),
      caller,
      method: req.method,
      path: req.baseUrl + req.path,
      requestHash: createHash("sha256")
        .update(JSON.stringify(req.body ?? null))
        .digest("hex"),
    };
    const deadline = Date.now() + waitMs;
    for (;;) {
      const claim = await store.claim(request);
      if (claim.kind === "claimed") break;
      if (claim.kind === "mismatch") return sendError(req, res, 422, "idempotency_key_reused");
      if (claim.kind === "done") {
        res.set("Idempotency-Replayed", "true");
        res.status(claim.response.status).json(claim.response.body);
        return;
      }
      if (Date.now() > deadline) {
        res.set("Retry-After", "1");
        return sendError(req, res, 409, "idempotency_in_progress");
      }
      await sleep(25);
    }
    // Kept before it is sent: once the client has the answer, a retry finds it.
    const send = res.json.bind(res);
    res.json = (body: unknown) => {
      const status = res.statusCode;
      const kept = status >= 500 ? store.release(request) : store.complete(request, { status, body });
      kept.then(
        () => send(body),
        (err: unknown) => {
          logger.error({ err }, "could not keep an idempotent answer; sending it anyway");
          send(body);
        },
      );
      return res;
    };
    next();
  };
  // Synchronous for a read or a request without a key: an async middleware costs every request a promise.
  return (req, res, next) =>
    MUTATING.has(req.method) && req.get(HEADER) !== undefined ? keyed(req, res, next) : next();
}
