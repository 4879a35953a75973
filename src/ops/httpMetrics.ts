import type { Request, RequestHandler } from "express";
import { Histogram, type Registry } from "prom-client";

export type HttpSeconds = Histogram<"method" | "route" | "status">;

export function registerHttpMetrics(registry: Registry): HttpSeconds {
  return new Histogram({
    name: "livechat_http_request_duration_seconds",
    help: "Time to answer an HTTP request, by method, route pattern and status class (2xx, 4xx, 5xx)",
    labelNames: ["method", "route", "status"] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
}

/**
 * The route pattern (`/api/oss-chat/session/:id`), never the path: ids in labels would make a series per
 * session. A request no route matched counts as `unmatched`.
 */
function routeOf(req: Request): string {
  const pattern = req.route?.path;
  return typeof pattern === "string" ? `${req.baseUrl}${pattern}` : "unmatched";
}

/** Times every request, labelled once the answer is sent (the route is known by then). */
export function httpTimer(histogram: HttpSeconds): RequestHandler {
  return (req, res, next) => {
    // observe() rather than startTimer(): no closure over the labels and no merge of them per request.
    const started = performance.now();
    res.once("finish", () => {
      histogram.observe(
        { method: req.method, route: routeOf(req), status: `${Math.floor(res.statusCode / 100)}xx` },
        (performance.now() - started) / 1000,
      );
    });
    next();
  };
}
