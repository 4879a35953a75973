import { EventEmitter } from "node:events";
import type { Request, Response } from "express";
import helmet from "helmet";
import pino from "pino";
import { requestLog } from "../../src/http/requestLog";
import { securityHeaders } from "../../src/http/securityHeaders";

/** A response that records the headers set on it, and emits "finish" on demand. */
function recordingResponse() {
  const headers = new Map<string, string>();
  const removed: string[] = [];
  const res = Object.assign(new EventEmitter(), {
    statusCode: 201,
    locals: {} as Record<string, unknown>,
    setHeader: (name: string, value: string) => headers.set(name.toLowerCase(), String(value)),
    removeHeader: (name: string) => removed.push(name.toLowerCase()),
  });
  return { res: res as unknown as Response, headers, removed, emitter: res };
}

const request = (headers: Record<string, string> = {}) =>
  ({
    headers,
    method: "POST",
    url: "/api/oss-chat/start",
    originalUrl: "/api/oss-chat/start",
  }) as unknown as Request;

describe("security headers worked out once", () => {
  test("are the headers helmet sets on a request, and remove what it removes", () => {
    const viaHelmet = recordingResponse();
    helmet()(request(), viaHelmet.res, () => undefined);
    const once = recordingResponse();
    let called = false;
    securityHeaders()(request(), once.res, () => {
      called = true;
    });
    expect(called).toBe(true);
    expect(once.headers).toEqual(viaHelmet.headers);
    expect(once.removed).toEqual(viaHelmet.removed);
    expect(once.headers.get("x-content-type-options")).toBe("nosniff");
  });
});

describe("request log", () => {
  const quiet = pino({ level: "warn" });

  test("echoes a caller's plain request id and keeps it as the correlation id", () => {
    const { res, headers } = recordingResponse();
    requestLog(quiet)(request({ "x-request-id": "abc-123" }), res, () => undefined);
    expect(headers.get("x-request-id")).toBe("abc-123");
    expect(res.locals.correlationId).toBe("abc-123");
  });

  test("replaces an id that is not a plain token with a new UUID", () => {
    const { res, headers } = recordingResponse();
    requestLog(quiet)(request({ "x-request-id": "<script>" }), res, () => undefined);
    expect(headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.locals.correlationId).toBe(headers.get("x-request-id"));
  });

  test("logs one line per finished request at info, and none with info off", () => {
    const lines: Record<string, unknown>[] = [];
    const stream = { write: (line: string) => lines.push(JSON.parse(line)) };
    const info = pino({ level: "info" }, stream);
    const a = recordingResponse();
    requestLog(info)(request(), a.res, () => undefined);
    a.emitter.emit("finish");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      msg: "request completed",
      req: { method: "POST", url: "/api/oss-chat/start" },
      res: { statusCode: 201 },
    });
    expect(JSON.stringify(lines[0])).not.toMatch(/headers/);

    const off = pino({ level: "warn" }, stream);
    const b = recordingResponse();
    requestLog(off)(request(), b.res, () => undefined);
    b.emitter.emit("finish");
    expect(lines).toHaveLength(1);
  });
});
