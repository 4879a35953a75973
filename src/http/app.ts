import { randomUUID } from "node:crypto";
import express, { type Express } from "express";
import type { Knex } from "knex";
import type { Logger } from "pino";
import { pinoHttp } from "pino-http";
import { auditRoutes } from "../audit/routes";
import { commandTimer, type Metrics, metricsRoute } from "../ops/metrics";
import { opsRoutes } from "../ops/routes";
import { errorHandler, notFoundRoute } from "./errors";
import { chatRoutes, type RouteDeps } from "./routes";
import { authenticateStaff } from "./staffAuth";

export interface AppOptions extends RouteDeps {
  readonly logger: Logger;
  readonly knex: Knex;
  readonly trustProxy: boolean | number | string[] | undefined;
  /** Prometheus metrics served at /metrics and fed by the command timer. */
  readonly metrics?: Metrics;
}

export function createApp(options: AppOptions): Express {
  const app = express();
  app.disable("x-powered-by");
  // Without TRUST_PROXY the client IP is the socket's; X-Forwarded-For is believed only from trusted proxies.
  app.set("trust proxy", options.trustProxy ?? false);
  app.use(
    pinoHttp({
      logger: options.logger,
      genReqId: (req, res) => {
        const given = req.headers["x-request-id"];
        const id = typeof given === "string" && /^[\w-]{1,64}$/.test(given) ? given : randomUUID();
        res.setHeader("X-Request-Id", id);
        return id;
      },
      customProps: () => ({}),
      autoLogging: { ignore: (req) => ["/healthz", "/readyz", "/metrics"].includes(req.url) },
    }),
  );
  app.use((req, res, next) => {
    res.locals.correlationId = req.id;
    next();
  });
  app.get("/healthz", (_req, res) => {
    res.json({ status: "ok" });
  });
  app.get("/readyz", async (_req, res) => {
    try {
      await options.knex.raw("select 1");
      res.json({ status: "ready", database: "ok" });
    } catch {
      res.status(503).json({ error: "Database unreachable", database: "down" });
    }
  });
  if (options.metrics) app.get("/metrics", metricsRoute(options.metrics));
  if (options.metrics) app.use(commandTimer(options.metrics));
  app.use(express.json({ limit: "64kb", strict: true }));
  app.use(authenticateStaff(options.knex));
  app.use(auditRoutes(options.knex));
  app.use(opsRoutes(options.knex));
  app.use(chatRoutes(options));
  app.use(notFoundRoute);
  app.use(errorHandler(options.logger));
  return app;
}
