import type { RequestHandler, Response } from "express";
import helmet from "helmet";

/**
 * helmet's default headers, worked out once at start (they do not depend on the request) and set with one loop:
 * helmet itself runs fifteen middlewares per request.
 */
export function securityHeaders(): RequestHandler {
  const headers: [string, string][] = [];
  const removed: string[] = [];
  const recorder = {
    setHeader(name: string, value: string) {
      headers.push([name, String(value)]);
    },
    removeHeader(name: string) {
      removed.push(name);
    },
  } as unknown as Response;
  let synchronous = false;
  helmet()({ headers: {} } as never, recorder, () => {
    synchronous = true;
  });
  if (!synchronous) throw new Error("helmet did not set its headers synchronously");
  return (_req, res, next) => {
    for (const name of removed) res.removeHeader(name);
    for (const [name, value] of headers) res.setHeader(name, value);
    next();
  };
}
