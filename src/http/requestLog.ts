import { randomUUID } from "node:crypto";
import type { RequestHandler } from "express";
import type { Logger } from "pino";
import { maskQuery } from "../logger";

const QUIET = new Set(["/healthz", "/readyz", "/metrics"]);
const GIVEN_ID = /^[\w-]{1,64}$/;

/**
 * The request id (the caller's X-Request-Id when it is a plain token, else a new UUID), echoed in the response
 * and kept as the correlation id of what the request appends; one log line per request when info is enabled.
 * Only what a request was, never who sent it: no headers (user agent, browser UUID, tokens), no address, and
 * query values masked. Replaces pino-http, which built a child logger and serialised every request's headers even with info off.
 */
export function requestLog(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const given = req.headers["x-request-id"];
    const id = typeof given === "string" && GIVEN_ID.test(given) ? given : randomUUID();
    res.setHeader("X-Request-Id", id);
    res.locals.correlationId = id;
    if (logger.isLevelEnabled("info") && !QUIET.has(req.url)) {
      const started = performance.now();
      res.once("finish", () => {
        const status = res.statusCode;
        logger[status >= 500 ? "error" : "info"](
          {
            req: { id, method: req.method, url: maskQuery(req.originalUrl) },
            res: { statusCode: status },
            responseTime: Math.round(performance.now() - started),
          },
          "request completed",
        );
      });
    }
    next();
  };
}
