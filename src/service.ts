import { randomUUID } from "node:crypto";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import type { Knex } from "knex";
import type { Logger } from "pino";
import type { Config } from "./config";
import { createKnex, createPool, ensureDatabase, migrateLatest } from "./db/database";
import { startEmbeddedPostgres } from "./db/embeddedPostgres";
import type { EventStore } from "./events/eventStore";
import { createPostgresEventStore } from "./events/postgresEventStore";
import { createApp } from "./http/app";
import { countingStore, createMetrics } from "./ops/metrics";
import { type RunningProjector, startLogProjector } from "./projections/logProjector";

export interface Database {
  readonly url: string;
  readonly knex: Knex;
  readonly store: EventStore;
  close(): Promise<void>;
}

/** Connects to the configured Postgres, or starts the embedded one, and brings its schema up to date. */
export async function openDatabase(config: Config, logger: Logger): Promise<Database> {
  let url = config.databaseUrl;
  let stopEmbedded: (() => Promise<void>) | null = null;
  if (url === null) {
    const dataDir = path.resolve(config.DATA_DIR, "postgres");
    logger.info({ dataDir }, "no DATABASE_URL or DB_HOST: starting the embedded Postgres");
    const embedded = await startEmbeddedPostgres({
      dataDir,
      port: config.EMBEDDED_PG_PORT,
      log: (msg) => logger.debug({ postgres: msg.trim() }),
    });
    url = embedded.url;
    stopEmbedded = () => embedded.stop();
  } else if (config.ENSURE_DATABASE) {
    await ensureDatabase(url).catch((err) =>
      logger.warn({ err }, "could not check that the database exists"),
    );
  }
  const knex = createKnex(url, config.DB_POOL_SIZE);
  const applied = await migrateLatest(knex);
  if (applied.length > 0) logger.info({ applied }, "migrations applied");
  const store = createPostgresEventStore({
    pool: createPool(url, config.DB_POOL_SIZE),
    connectionString: url,
    pollIntervalMs: config.PROJECTOR_POLL_MS,
    onError: (err) => logger.warn({ err }, "event store connection error"),
  });
  return {
    url,
    knex,
    store,
    async close() {
      await store.close();
      await knex.destroy();
      if (stopEmbedded) await stopEmbedded();
    },
  };
}

export interface RunningService {
  readonly url: string;
  readonly database: Database;
  stop(): Promise<void>;
}

export interface ServiceParts {
  readonly api: boolean;
  readonly projector: boolean;
}

/** Starts the API and/or the embedded projector on one database; stop() drains requests, then the projector. */
export async function startService(
  config: Config,
  logger: Logger,
  parts: ServiceParts = { api: true, projector: true },
): Promise<RunningService> {
  const database = await openDatabase(config, logger);
  const metrics = createMetrics(database.knex);
  let projector: RunningProjector | null = null;
  if (parts.projector) {
    projector = startLogProjector({
      knex: database.knex,
      store: database.store,
      logger,
      batchSize: config.PROJECTOR_BATCH_SIZE,
      onBatch: (r) => metrics.eventsApplied.inc({ projector: "read_model" }, r.applied),
    });
  }
  let server: Server | null = null;
  let url = "";
  if (parts.api) {
    const app = createApp({
      logger,
      knex: database.knex,
      store: database.store,
      commands: { store: countingStore(database.store, metrics), newId: randomUUID },
      readYourWritesTimeoutMs: config.READ_YOUR_WRITES_TIMEOUT_MS,
      trustProxy: config.trustProxy,
      metrics,
    });
    const listening = app.listen(config.PORT, config.HOST);
    server = listening;
    await new Promise<void>((resolve, reject) => {
      listening.once("listening", resolve);
      listening.once("error", reject);
    });
    listening.requestTimeout = config.REQUEST_TIMEOUT_MS;
    const { port } = listening.address() as AddressInfo;
    url = `http://127.0.0.1:${port}`;
    logger.info({ url }, "OSS LiveChat API listening");
  }
  return {
    url,
    database,
    async stop() {
      if (server) {
        const closing = new Promise<void>((resolve) => server?.close(() => resolve()));
        server.closeIdleConnections();
        await closing;
      }
      if (projector) await projector.stop();
      await database.close();
    },
  };
}
