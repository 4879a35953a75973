import cors from "cors";
import express, { type Express, type RequestHandler } from "express";
import type { Redis } from "ioredis";
import type { Knex } from "knex";
import type { Logger } from "pino";
import type { IdentityVerifier } from "../auth/identityTokens";
import { createKeyUsageRecorder } from "../auth/keyUsage";
import type { ConsumerLagReader } from "../bus/bus";
import { conversationDeps } from "../commands/sessionCommand";
import type { EventLog } from "../eventstore/eventStore";
import { httpTimer } from "../ops/httpMetrics";
import { createIdempotencyStore, IDEMPOTENCY_DEFAULTS, type IdempotencyStore } from "../ops/idempotencyStore";
import { kafkaReadiness } from "../ops/kafkaLag";
import { commandTimer, type Metrics, metricsRoute } from "../ops/metrics";
import type { KeyStore } from "../privacy/keyStore";
import { adminRoutes } from "./adminRoutes";
import { agentRoutes } from "./agentRoutes";
import { auditRoutes } from "./auditRoutes";
import { consoleRoutes } from "./consoleRoutes";
import { type DemoLogin, demoRoutes } from "./demoRoutes";
import { errorHandler, notFoundRoute, sendError } from "./errors";
import { idempotencyKeys } from "./idempotency";
import { authenticateOssUser } from "./identityAuth";
import { contentLanguage } from "./language";
import { docsRoutes } from "./openapi/docsRoutes";
import { describeRoute } from "./openapi/routeDocs";
import { opsRoutes } from "./opsRoutes";
import { type RateLimitSettings, rateLimits } from "./rateLimits";
import { reportRoutes } from "./reportRoutes";
import { requestLog } from "./requestLog";
import type { RouteDeps } from "./routeDeps";
import { errors } from "./schemas/common";
import { health, readiness } from "./schemas/opsSchemas";
import { securityHeaders } from "./securityHeaders";
import { series, underApi } from "./series";
import { authenticateStaff, requireStaffAreas, requireStaffRole } from "./staffAuth";
import { refuseUnstorableText } from "./storableText";
import { subjectRoutes } from "./subjectRoutes";
import { chatRoutes } from "./visitorRoutes";
import { webhookRoutes } from "./webhookRoutes";
import { webRoutes } from "./webRoutes";
import { workspaceRoutes } from "./workspaceRoutes";

export interface AppOptions extends RouteDeps {
  readonly logger: Logger;
  readonly knex: Knex;
  readonly trustProxy: boolean | number | string[] | undefined;
  /** Verifies the OSS portal's identity tokens; null: logged-in calls are refused. */
  readonly identity?: IdentityVerifier | null;
  readonly corsOrigins?: string[] | "*";
  readonly rateLimits?: RateLimitSettings;
  /** Shared rate-limit counters across API instances; null keeps them in memory. */
  readonly redis?: Redis | null;
  /** Where Idempotency-Key answers are kept (default: Postgres, 24 h). */
  readonly idempotency?: IdempotencyStore;
  /** Kafka mode: the projector group's lag, shown in /readyz's detail. */
  readonly kafkaLag?: ConsumerLagReader | null;
  /** Prometheus metrics served at /metrics (ops role) and fed by the command timer. */
  readonly metrics?: Metrics;
  readonly webhooks?: { readonly allowPrivate: boolean };
  /** The personal-data keys: erasure destroys them. */
  readonly keys: KeyStore;
  /** The log beneath the encryption layer, as stored: the audit's chain verification reads it. */
  readonly sealedLog: EventLog;
  /** MAX_CHATS_PER_AGENT: how many active chats an agent may claim. */
  readonly maxChatsPerAgent: number;
  /** The demo portal's test-user login (development with an HS256 secret only); null: none. */
  readonly demoLogin?: DemoLogin | null;
}

const OFF: RateLimitSettings = { windowMs: 60_000, perIp: 0, perIdentity: 0 };

export function createApp(options: AppOptions): Express {
  const app = express();
  app.disable("x-powered-by");
  // Without TRUST_PROXY the client IP is the socket's; X-Forwarded-For is believed only from trusted proxies.
  app.set("trust proxy", options.trustProxy ?? false);
  const identity = options.identity ?? null;
  // No ETag: no client revalidates (If-None-Match), and express hashed every body to make one.
  app.set("etag", false);
  const limits = rateLimits(options.rateLimits ?? OFF, options.redis ?? null);
  const pass: RequestHandler = (_req, _res, next) => next();
  // What every request goes through, as one layer of the app's stack (see series).
  app.use(
    series(
      securityHeaders(),
      cors({
        origin: options.corsOrigins === "*" ? "*" : (options.corsOrigins ?? []),
        allowedHeaders: [
          "Content-Type",
          "Authorization",
          "X-Browser-UUID",
          "X-Request-Id",
          "Idempotency-Key",
        ],
        exposedHeaders: [
          "Retry-After",
          "X-Request-Id",
          "X-Read-Model-Stale",
          "Idempotency-Replayed",
          "RateLimit",
          "RateLimit-Policy",
        ],
        maxAge: 600,
      }),
      requestLog(options.logger),
      contentLanguage,
      options.metrics ? httpTimer(options.metrics.httpSeconds) : pass,
    ),
  );
  describeRoute(app, {
    method: "get",
    path: "/healthz",
    summary: "The process is up",
    tags: ["operations"],
    auth: ["none"],
    responses: { 200: { description: "Up", schema: health } },
  });
  app.get("/healthz", (_req, res) => {
    res.json({ status: "ok" });
  });
  describeRoute(app, {
    method: "get",
    path: "/readyz",
    summary: "The database and the event store answer",
    tags: ["operations"],
    auth: ["none"],
    responses: { 200: { description: "Ready", schema: readiness }, ...errors(503) },
  });
  app.get("/readyz", async (req, res) => {
    // The read model's database and the event store (a separate server with EventStoreDB) must both answer.
    const [database, eventStore] = await Promise.all([
      options.knex.raw("select 1").then(
        () => "ok" as const,
        () => "down" as const,
      ),
      options.store.readAt(0n).then(
        () => "ok" as const,
        () => "down" as const,
      ),
    ]);
    // Detail only: the API serves without Kafka, so the broker's state and lag do not decide readiness.
    const kafka = options.kafkaLag ? { kafka: await kafkaReadiness(options.kafkaLag) } : {};
    if (database === "ok" && eventStore === "ok") {
      res.json({ status: "ready", database, event_store: eventStore, ...kafka });
      return;
    }
    sendError(req, res, 503, "not_ready", undefined, { database, event_store: eventStore, ...kafka });
  });
  docsRoutes(app, { title: "OSS LiveChat API", version: "1" });
  app.use(webRoutes());
  app.use(demoRoutes({ demoLogin: options.demoLogin ?? null }));
  app.use(consoleRoutes());
  // Limits, body, credentials, staff roles, text no column can store, and idempotency keys, in this order,
  // as one layer (see series).
  app.use(
    series(
      options.metrics ? commandTimer(options.metrics) : pass,
      underApi(limits.perIp),
      express.json({ limit: "64kb", strict: true }),
      authenticateStaff(options.knex, createKeyUsageRecorder(options.knex, options.logger)),
      authenticateOssUser(identity),
      underApi(limits.perIdentity),
      // Authorization before idempotency: a caller refused here never reaches its keys.
      requireStaffAreas(),
      refuseUnstorableText,
      // Every command on every router below: mutating methods only, so a new router needs nothing more.
      underApi(
        idempotencyKeys(
          options.idempotency ?? createIdempotencyStore(options.knex, IDEMPOTENCY_DEFAULTS),
          options.logger,
        ),
      ),
    ),
  );
  // Not public: on this port only for an ops key (the open one is METRICS_PORT, see metricsServer.ts).
  if (options.metrics) {
    describeRoute(app, {
      method: "get",
      path: "/metrics",
      summary: "Prometheus metrics (role ops here; open on METRICS_PORT)",
      tags: ["operations"],
      auth: ["staffKey"],
      responses: {
        200: { description: "Prometheus text format", contentType: "text/plain" },
        ...errors(401, 403),
      },
    });
    app.get("/metrics", requireStaffRole("ops"), metricsRoute(options.metrics));
  }
  // The widget's routes first: they take nearly all the traffic, and a router tries its routes in order.
  // One session cache for both sides of a conversation.
  const conversations = options.conversations ?? conversationDeps(options.commands);
  app.use(chatRoutes({ ...options, conversations, identityConfigured: identity !== null }));
  // Before agentRoutes, whose guard lets agents alone through: supervisors use the workspace too.
  app.use(workspaceRoutes({ ...options, conversations }));
  app.use(agentRoutes({ ...options, conversations }));
  app.use(auditRoutes({ log: options.store, sealedLog: options.sealedLog, knex: options.knex }));
  app.use(
    adminRoutes({
      store: options.commands.store,
      knex: options.knex,
      keys: options.keys,
      newId: options.commands.newId,
      conversations,
    }),
  );
  app.use(
    subjectRoutes({
      store: options.commands.store,
      knex: options.knex,
      keys: options.keys,
      newId: options.commands.newId,
      identityConfigured: identity !== null,
    }),
  );
  app.use(opsRoutes(options.knex));
  app.use(reportRoutes(options.knex));
  app.use(
    webhookRoutes({
      knex: options.knex,
      store: options.store,
      allowPrivateTargets: options.webhooks?.allowPrivate ?? false,
    }),
  );
  app.use(notFoundRoute);
  app.use(errorHandler(options.logger));
  return app;
}
