import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Express } from "express";
import { Redis } from "ioredis";
import type { Logger } from "pino";
import { takeLogCheckpoint } from "./audit/logCheckpoints";
import { createIdentityVerifier } from "./auth/identityTokens";
import {
  createKafkaConsumer,
  createKafkaLagReader,
  createKafkaPublisher,
  ensureTopic,
  type KafkaSettings,
} from "./bus/kafkaBus";
import { startRelay } from "./bus/relay";
import { rememberIdentities } from "./commands/deps";
import { conversationDeps } from "./commands/sessionCommand";
import { type Config, ConfigError } from "./config";
import { type Database, openDatabase } from "./database";
import { createApp } from "./http/app";
import { startMetricsServer } from "./http/metricsServer";
import { applyServerTimeouts } from "./http/serverTimeouts";
import { describeIdentityKey } from "./identityKeyConfig";
import { createIdempotencyStore } from "./ops/idempotencyStore";
import { countingStore, createMetrics } from "./ops/metrics";
import { openEvents } from "./privacy/eventCipher";
import { startRetentionJob } from "./privacy/retention";
import { startKafkaProjector } from "./projections/kafkaProjector";
import { startLogProjector } from "./projections/logProjector";
import { startKafkaFollower, startStoreFollower } from "./realtime/follower";
import { liveEventTypes } from "./realtime/notices";
import { startPostgresFollower } from "./realtime/pgFollower";
import { type Realtime, startRealtime } from "./realtime/realtime";
import { realtimeSettings } from "./realtime/settings";
import { startReportProjector } from "./reports/reportProjector";
import { startAutoRouter } from "./routing/autoRouter";
import { startWebhookDispatcher } from "./webhooks/dispatcher";
import { startWebhookSender } from "./webhooks/sender";

// Where they were: the database opens in its own module, which CLI commands load without the service.
export { type Database, openDatabase };

/** The Redis that holds rate-limit counters shared by API instances; unreachable at start is a config error. */
async function connectRedis(url: string, logger: Logger): Promise<Redis> {
  const redis = new Redis(url, { maxRetriesPerRequest: 2, connectTimeout: 5000, lazyConnect: true });
  redis.on("error", (err) => logger.warn({ err }, "redis connection error"));
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    redis.disconnect();
    throw new ConfigError(`Invalid configuration: REDIS_URL: cannot reach Redis (${(err as Error).message})`);
  }
  return redis;
}

export interface RunningService {
  readonly url: string;
  /** The express app, when this process serves the API (tests walk its routes). */
  readonly app: Express | null;
  /** The metrics listener's URL (METRICS_PORT), or null when it is not configured. */
  readonly metricsUrl: string | null;
  readonly database: Database;
  stop(): Promise<void>;
}

export interface ServiceParts {
  readonly api: boolean;
  /** "log": follow the event store directly (embedded default); "kafka": a member of the consumer group. */
  readonly projector: false | "log" | "kafka";
  readonly relay?: boolean;
  /** Follow the log and send outgoing webhooks (one process per deployment is enough; more are safe). */
  readonly webhooks?: boolean;
}

function kafkaSettings(config: Config, logger: Logger): KafkaSettings {
  if (!config.KAFKA_BROKERS)
    throw new ConfigError(
      "Invalid configuration: KAFKA_BROKERS: required for the relay and Kafka projectors",
    );
  return {
    brokers: config.KAFKA_BROKERS.split(",").map((b) => b.trim()),
    clientId: config.KAFKA_CLIENT_ID,
    topic: config.KAFKA_TOPIC,
    partitions: config.KAFKA_TOPIC_PARTITIONS,
    logger,
  };
}

/** The settings, once their topic exists (creating it is idempotent). */
async function ensuredTopic(settings: KafkaSettings): Promise<KafkaSettings> {
  await ensureTopic(settings);
  return settings;
}

/**
 * What the start-up log names: the address the server really listens on (the port chosen when PORT=0) and the
 * URLs to open (the API's base, as `API=` in the README, and its pages) — on `localhost` for a wildcard address
 * (0.0.0.0, ::), else on the bound one.
 */
export function startupUrls(address: Pick<AddressInfo, "address" | "port" | "family">) {
  const wildcard = address.address === "0.0.0.0" || address.address === "::";
  const bound = address.family === "IPv6" ? `[${address.address}]` : address.address;
  const base = `http://${wildcard ? "localhost" : bound}:${address.port}`;
  return {
    listen: `${bound}:${address.port}`,
    api: base,
    demo: `${base}/demo`,
    console: `${base}/console`,
    docs: `${base}/docs`,
  };
}

/** Starts the parts a process runs on one database; stop() drains requests first, then the workers, then the database. */
export async function startService(
  config: Config,
  logger: Logger,
  parts: ServiceParts = { api: true, projector: "log" },
): Promise<RunningService> {
  // Redis first: if it is unreachable, nothing else has been started that would need stopping.
  const redis =
    parts.api && config.REDIS_URL !== undefined ? await connectRedis(config.REDIS_URL, logger) : null;
  const database = await openDatabase(config, logger);
  const stoppers: (() => Promise<void>)[] = [];
  // Kafka mode: any process can read the projector group's lag from the broker, for /metrics and /readyz.
  const kafkaLag =
    config.BUS === "kafka"
      ? createKafkaLagReader({ ...kafkaSettings(config, logger), groupId: config.KAFKA_GROUP_ID })
      : null;
  if (kafkaLag) stoppers.push(() => kafkaLag.close());
  const metrics = createMetrics(database.knex, { kafkaLag });
  // Every kind of process (api, relay, projector) can be scraped on its metrics port.
  const metricsServer =
    config.METRICS_PORT === undefined
      ? null
      : await startMetricsServer(metrics, config.METRICS_PORT, config.METRICS_HOST);
  if (metricsServer) {
    logger.info({ url: metricsServer.url }, "metrics listening");
    stoppers.push(metricsServer.close);
  }
  if (parts.relay) {
    const settings = kafkaSettings(config, logger);
    await ensureTopic(settings);
    const publisher = await createKafkaPublisher(settings);
    const relay = startRelay({
      knex: database.knex,
      connectionString: database.url,
      // The topic carries the sealed form: erasure reaches its copies too, by the same destroyed keys.
      store: database.sealedLog,
      publisher,
      logger,
    });
    stoppers.push(async () => {
      await relay.stop();
      await publisher.close();
    });
  }
  if (parts.projector === "kafka") {
    const settings = kafkaSettings(config, logger);
    await ensureTopic(settings);
    const consumer = createKafkaConsumer({
      ...settings,
      groupId: config.KAFKA_GROUP_ID,
      sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT_MS,
      heartbeatIntervalMs: config.KAFKA_HEARTBEAT_INTERVAL_MS,
    });
    const worker = await startKafkaProjector({
      knex: database.knex,
      consumer,
      open: (events) => openEvents(events, database.keys),
      logger,
      onBatch: (r) => metrics.eventsApplied.inc({ projector: "kafka_projector" }, r.applied),
    });
    stoppers.push(worker.stop);
  } else if (parts.projector) {
    const projector = startLogProjector({
      knex: database.knex,
      store: database.store,
      logger,
      batchSize: config.PROJECTOR_BATCH_SIZE,
      onBatch: (r) => metrics.eventsApplied.inc({ projector: "read_model" }, r.applied),
    });
    stoppers.push(projector.stop);
  }
  if (parts.projector) {
    // Report facts follow the store's log under their own checkpoint, in either projector mode.
    const reports = startReportProjector({
      knex: database.knex,
      store: database.store,
      logger,
      batchSize: config.PROJECTOR_BATCH_SIZE,
    });
    stoppers.push(reports.stop);
  }
  if (parts.webhooks) {
    const sender = startWebhookSender({
      knex: database.knex,
      logger,
      settings: {
        allowPrivate: config.WEBHOOK_ALLOW_PRIVATE,
        maxAttempts: config.WEBHOOK_MAX_ATTEMPTS,
        baseMs: config.WEBHOOK_BACKOFF_BASE_MS,
        maxMs: config.WEBHOOK_BACKOFF_MAX_MS,
        timeoutMs: config.WEBHOOK_TIMEOUT_MS,
        pollMs: config.WEBHOOK_POLL_MS,
        concurrency: config.WEBHOOK_CONCURRENCY,
      },
      onAttempt: (outcome) => metrics.webhookAttempts.inc({ outcome }),
    });
    const dispatcher = startWebhookDispatcher({
      knex: database.knex,
      store: database.store,
      logger,
      onQueued: () => sender.wake(),
    });
    stoppers.push(sender.stop, dispatcher.stop);
  }
  if (parts.api && config.RETENTION_DAYS_MESSAGES !== undefined) {
    // Every API instance schedules it; an advisory lock lets one run at a time.
    const retention = startRetentionJob({
      knex: database.knex,
      store: database.store,
      keys: database.keys,
      logger,
      days: config.RETENTION_DAYS_MESSAGES,
      intervalMs: config.RETENTION_INTERVAL_MS,
    });
    stoppers.push(retention.stop);
  }
  if (parts.projector && config.LOG_CHECKPOINT_INTERVAL_S > 0) {
    // Where the projector runs (one per deployment in the embedded mode; an advisory lock keeps workers to one).
    const checkpoints = setInterval(() => {
      takeLogCheckpoint(database.knex, database.store).catch((err) =>
        logger.warn({ err }, "log-head checkpoint failed"),
      );
    }, config.LOG_CHECKPOINT_INTERVAL_S * 1000);
    checkpoints.unref();
    stoppers.push(async () => clearInterval(checkpoints));
  }
  let server: Server | null = null;
  let realtime: Realtime | null = null;
  let url = "";
  let api: Express | null = null;
  if (parts.api) {
    if (config.identityKey === null) {
      logger.warn(
        "OSS identity verification is not configured (OSS_IDENTITY_SECRET, OSS_IDENTITY_PUBLIC_KEY or OSS_IDENTITY_JWKS_URL): logged-in endpoints answer 401, anonymous chat works",
      );
    } else {
      logger.info({ verification: describeIdentityKey(config.identityKey) }, "OSS identity tokens verified");
    }
    const idempotency = createIdempotencyStore(database.knex, {
      ttlMs: config.IDEMPOTENCY_TTL_S * 1000,
      // A claim outlives any request that could still answer it: then a retry may run the command again.
      leaseMs: config.REQUEST_TIMEOUT_MS + 5000,
    });
    const purge = setInterval(
      () => idempotency.purgeExpired().catch((err) => logger.warn({ err }, "idempotency purge failed")),
      Math.min(config.IDEMPOTENCY_TTL_S * 1000, 3600_000),
    );
    purge.unref();
    stoppers.push(async () => clearInterval(purge));
    const commands = {
      store: countingStore(database.store, metrics),
      newId: database.newId,
      remembered: rememberIdentities(),
    };
    const conversations = conversationDeps(commands);
    const routing =
      config.ROUTING === "auto"
        ? startAutoRouter({
            knex: database.knex,
            store: database.store,
            conversations,
            logger,
            maxChatsPerAgent: config.MAX_CHATS_PER_AGENT,
            intervalMs: config.ROUTING_INTERVAL_MS,
            readYourWritesTimeoutMs: config.READ_YOUR_WRITES_TIMEOUT_MS,
          })
        : null;
    if (routing) {
      logger.info({ maxChatsPerAgent: config.MAX_CHATS_PER_AGENT }, "auto-routing new chats to agents");
      stoppers.push(routing.stop);
    }
    const app = createApp({
      idempotency,
      logger,
      knex: database.knex,
      store: database.store,
      commands,
      conversations,
      routing,
      readYourWritesTimeoutMs: config.READ_YOUR_WRITES_TIMEOUT_MS,
      trustProxy: config.trustProxy,
      identity: config.identityKey === null ? null : createIdentityVerifier(config.identityKey),
      corsOrigins: config.corsOrigins,
      rateLimits: {
        windowMs: config.RATE_LIMIT_WINDOW_MS,
        perIp: config.RATE_LIMIT_PER_IP,
        perIdentity: config.RATE_LIMIT_PER_IDENTITY,
        redisPrefix: config.RATE_LIMIT_REDIS_PREFIX,
      },
      redis,
      metrics,
      webhooks: { allowPrivate: config.WEBHOOK_ALLOW_PRIVATE },
      keys: database.keys,
      sealedLog: database.sealedLog,
      kafkaLag,
      maxChatsPerAgent: config.MAX_CHATS_PER_AGENT,
      demoLogin:
        config.NODE_ENV !== "production" && config.identityKey?.kind === "secret"
          ? {
              secret: config.identityKey.secret,
              issuer: config.identityKey.issuer,
              audience: config.identityKey.audience,
            }
          : null,
    });
    api = app;
    const listening = createServer(app);
    server = listening;
    applyServerTimeouts(listening, {
      requestTimeoutMs: config.REQUEST_TIMEOUT_MS,
      keepAliveTimeoutMs: config.HTTP_KEEP_ALIVE_TIMEOUT_MS,
      keepAliveGraceMs: config.HTTP_KEEP_ALIVE_GRACE_MS,
    });
    // The real-time endpoints are attached before the server listens: an upgrade that came before them would
    // reach the HTTP app, which answers 404 (what benchmarks polling /healthz then opening sockets met).
    realtime = await startRealtime({
      server: listening,
      store: database.store,
      knex: database.knex,
      connectionString: database.url,
      identity: config.identityKey === null ? null : createIdentityVerifier(config.identityKey),
      corsOrigins: config.corsOrigins,
      trustProxy: config.trustProxy,
      settings: realtimeSettings(config),
      registry: metrics.registry,
      logger,
      follow: async (onEvents) =>
        config.BUS === "kafka"
          ? startKafkaFollower({
              // The API may start before the relay has created the topic: a consumer cannot subscribe to none.
              consumer: createKafkaConsumer({
                ...(await ensuredTopic(kafkaSettings(config, logger))),
                // A group of this process's own: every API instance sees every event, from the topic's end.
                groupId: `${config.KAFKA_GROUP_ID}-realtime-${randomUUID()}`,
                fromBeginning: false,
              }),
              open: (events) => openEvents(events, database.keys, { only: liveEventTypes }),
              onEvents,
            })
          : config.EVENT_STORE === "postgres" && database.sealedLog.committed
            ? startPostgresFollower({
                log: database.sealedLog.committed,
                logger,
                // The rows are read as stored: personal fields (message bodies among them) sealed; only the
                // events that give notices are opened.
                open: (events) => openEvents(events, database.keys, { only: liveEventTypes }),
                onEvents,
                pollIntervalMs: config.PROJECTOR_POLL_MS,
              })
            : startStoreFollower({ store: database.store, logger, onEvents }),
    });
    listening.listen(config.PORT, config.HOST);
    await new Promise<void>((resolve, reject) => {
      listening.once("listening", resolve);
      listening.once("error", reject);
    }).catch(async (err) => {
      await realtime?.stop();
      throw err;
    });
    const address = listening.address() as AddressInfo;
    url = `http://127.0.0.1:${address.port}`;
    const where = startupUrls(address);
    logger.info(
      { url, ...where },
      `OSS LiveChat API listening on ${where.listen}: API ${where.api}, demo ${where.demo}, console ${where.console}, docs ${where.docs}`,
    );
  }
  return {
    url,
    app: api,
    metricsUrl: metricsServer?.url ?? null,
    database,
    async stop() {
      // Sockets first, with 1001, so their clients reconnect to another instance while this one drains.
      if (realtime) await realtime.stop();
      if (server) {
        const closing = new Promise<void>((resolve) => server?.close(() => resolve()));
        server.closeIdleConnections();
        await closing;
      }
      for (const stop of stoppers.reverse()) await stop();
      if (redis) await redis.quit().catch(() => redis?.disconnect());
      await database.close();
    },
  };
}
