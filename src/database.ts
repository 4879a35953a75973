import { randomUUID } from "node:crypto";
import path from "node:path";
import type { Knex } from "knex";
import type { Logger } from "pino";
import { migrationSource } from "../migrations/index";
import type { Config } from "./config";
import { createKnex, createPool, ensureDatabase, migrateLatest } from "./db/database";
import { findRunningEmbeddedPostgres, startEmbeddedPostgres } from "./db/embeddedPostgres";
import { createChainedStore } from "./eventstore/chainedStore";
import type { EventStore, EventStoreAdapter } from "./eventstore/eventStore";
import { createPostgresEventStore } from "./eventstore/postgresEventStore";
import { createEncryptingStore } from "./privacy/encryptingStore";
import { assertKekMatches, resolveKek } from "./privacy/kek";
import { createCachingKeyStore } from "./privacy/keyCache";
import type { KeyStore } from "./privacy/keyStore";
import { createPostgresKeyStore } from "./privacy/postgresKeyStore";

/** Where the embedded Postgres keeps its cluster: `DATA_DIR/postgres`. */
export function embeddedDataDir(config: Pick<Config, "DATA_DIR">): string {
  return path.resolve(config.DATA_DIR, "postgres");
}

/**
 * The configuration a one-shot command (keys, audit, projections…) runs with: with no database configured and
 * the embedded Postgres already running for this DATA_DIR (a `livechat start` in another terminal), that
 * server — its port is in its data directory — rather than a second one, which could not start on that data.
 */
export async function withRunningEmbedded(config: Config, logger: Logger): Promise<Config> {
  if (config.databaseUrl !== null) return config;
  const running = await findRunningEmbeddedPostgres(embeddedDataDir(config));
  if (running === null) return config;
  logger.debug({ port: running.port }, "using the embedded Postgres of the running service");
  return { ...config, databaseUrl: running.url, ENSURE_DATABASE: false };
}

export interface Database {
  readonly url: string;
  readonly knex: Knex;
  /** The store as commands, projectors and tools see it: personal fields sealed on append, opened on read. */
  readonly store: EventStore;
  /**
   * The chained store beneath the encryption layer: every append stamped with ids from `newId` and hashes
   * (src/eventstore/chainedStore.ts), read in the sealed form as stored. The relay publishes this to Kafka.
   */
  readonly sealedLog: EventStore;
  /** The personal-data keys (wrapped by PII_KEK). */
  readonly keys: KeyStore;
  readonly newId: () => string;
  close(): Promise<void>;
}

/** Connects to the configured Postgres, or starts the embedded one, and brings its schema up to date. */
export async function openDatabase(
  config: Config,
  logger: Logger,
  newId: () => string = randomUUID,
): Promise<Database> {
  let url = config.databaseUrl;
  let stopEmbedded: (() => Promise<void>) | null = null;
  if (url === null) {
    const dataDir = embeddedDataDir(config);
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
  const applied = await migrateLatest(knex, migrationSource);
  if (applied.length > 0) logger.info({ applied }, "migrations applied");
  let keys: KeyStore;
  try {
    const kek = await resolveKek(config.piiKek, config.DATA_DIR, logger);
    await assertKekMatches(knex, kek);
    keys = createCachingKeyStore(createPostgresKeyStore(knex, kek), { ttlMs: config.PII_KEY_CACHE_TTL_MS });
  } catch (err) {
    // A wrong key stops the start: nothing opened so far may keep the process alive.
    await knex.destroy();
    if (stopEmbedded) await stopEmbedded();
    throw err;
  }
  const adapter: EventStoreAdapter =
    config.EVENT_STORE === "eventstoredb" && config.EVENTSTORE_URL
      ? await eventStoreDb(config.EVENTSTORE_URL)
      : createPostgresEventStore({
          pool: createPool(url, config.DB_POOL_SIZE),
          connectionString: url,
          pollIntervalMs: config.PROJECTOR_POLL_MS,
          onError: (err) => logger.warn({ err }, "event store connection error"),
          appendBatch:
            config.APPEND_BATCH_MAX <= 1
              ? false
              : { maxAppends: config.APPEND_BATCH_MAX, windowUs: config.APPEND_BATCH_WINDOW_US },
        });
  const sealedLog = createChainedStore(adapter, { newId });
  // commands ─▶ encryption ─▶ chaining ─▶ adapter: the hash covers the sealed form (src/eventstore/eventStore.ts).
  const store = createEncryptingStore(sealedLog, keys);
  return {
    url,
    knex,
    store,
    sealedLog,
    keys,
    newId,
    async close() {
      await store.close();
      await knex.destroy();
      if (stopEmbedded) await stopEmbedded();
    },
  };
}

/** The EventStoreDB adapter, loaded only when configured: its gRPC client takes long to load (CLI start-up). */
async function eventStoreDb(url: string): Promise<EventStoreAdapter> {
  const [{ EventStoreDBClient }, { createEventStoreDbEventStore }] = await Promise.all([
    import("@eventstore/db-client"),
    import("./eventstore/eventStoreDbEventStore"),
  ]);
  return createEventStoreDbEventStore(EventStoreDBClient.connectionString(url));
}
