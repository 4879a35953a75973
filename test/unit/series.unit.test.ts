import type { NextFunction, Request, RequestHandler, Response } from "express";
import { series, underApi } from "../../src/http/series";

const req = (path = "/api/x") => ({ path }) as Request;
const res = {} as Response;

function run(handler: RequestHandler, request = req()): Promise<unknown> {
  return new Promise((resolve) => handler(request, res, ((err?: unknown) => resolve(err)) as NextFunction));
}

describe("series", () => {
  test("runs the middlewares in order, each when the one before calls next, then the router's next", async () => {
    const seen: string[] = [];
    const mark =
      (name: string, later = false): RequestHandler =>
      (_q, _s, next) => {
        seen.push(name);
        if (later) setImmediate(() => next());
        else next();
      };
    await expect(run(series(mark("a"), mark("b", true), mark("c")))).resolves.toBeUndefined();
    expect(seen).toEqual(["a", "b", "c"]);
  });

  test("an error passed to next, a throw, a rejection skip the rest and go to the router's next", async () => {
    const never: RequestHandler = () => {
      throw new Error("must not run");
    };
    const boom = new Error("boom");
    const later: RequestHandler = (_q, _s, next) => setImmediate(() => next());
    await expect(run(series((_q, _s, next) => next(boom), never))).resolves.toBe(boom);
    // A throw after an asynchronous step: the router would have caught it in its own layer.
    const thrower: RequestHandler = () => {
      throw boom;
    };
    await expect(run(series(later, thrower, never))).resolves.toBe(boom);
    const rejecting: RequestHandler = async () => {
      throw boom;
    };
    await expect(run(series(rejecting, never))).resolves.toBe(boom);
  });

  test("stops where a middleware answers without calling next", async () => {
    let answered = false;
    const answer: RequestHandler = () => {
      answered = true;
    };
    const done = jest.fn();
    series(answer, () => {
      throw new Error("must not run");
    })(req(), res, done);
    expect(answered).toBe(true);
    expect(done).not.toHaveBeenCalled();
  });
});

describe("underApi", () => {
  test("runs the middleware for /api and below, case-insensitively, and passes every other path", async () => {
    const hit: string[] = [];
    const handler = underApi((q, _s, next) => {
      hit.push(q.path);
      next();
    });
    for (const path of ["/api", "/api/oss-chat/start", "/API/x", "/apix", "/healthz", "/metrics"])
      await run(handler, req(path));
    expect(hit).toEqual(["/api", "/api/oss-chat/start", "/API/x"]);
  });
});
