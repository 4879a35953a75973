import type { RequestHandler } from "express";

/**
 * Several middlewares as one: each runs when the one before calls next, as in the app's stack, but the router
 * walks one layer instead of several (each layer it walks costs a path match and a `next` round). A throw or a
 * rejected promise goes to the error handlers, as the router would send it.
 */
export function series(...handlers: readonly RequestHandler[]): RequestHandler {
  return (req, res, done) => {
    let at = 0;
    const step = (err?: unknown) => {
      if (err) return done(err);
      const handler = handlers[at++];
      if (!handler) return done();
      try {
        const returned = handler(req, res, step) as unknown;
        if (returned instanceof Promise)
          returned.then(undefined, (e: unknown) => done(e ?? new Error("rejected")));
      } catch (e) {
        done(e);
      }
    };
    step();
  };
}

const API = /^\/api(?:\/|$)/i;

/** A middleware for the API's paths only (what `app.use("/api", handler)` did, the path left whole). */
export function underApi(handler: RequestHandler): RequestHandler {
  return (req, res, next) => (API.test(req.path) ? handler(req, res, next) : next());
}
