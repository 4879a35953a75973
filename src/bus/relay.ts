import type { Knex } from "knex";
import { Client } from "pg";
import type { Logger } from "pino";
import { loadCheckpoint, saveCheckpoint } from "../db/checkpoints";
import { type EventStore, logStart } from "../eventstore/eventStore";
import type { EventPublisher } from "./bus";

/** One relay publishes at a time: whoever holds this session-level advisory lock. */
const RELAY_LOCK_KEY = 0x6c63_7265; // "lcre"
export const RELAY_CHECKPOINT = "relay";

export interface RelayOptions {
  readonly knex: Knex;
  readonly connectionString: string;
  readonly store: EventStore;
  readonly publisher: EventPublisher;
  readonly logger: Logger;
  readonly batchSize?: number;
  /** How often a standby tries to take over. */
  readonly standbyPollMs?: number;
}

export interface RunningRelay {
  /** Resolves when this relay holds the lock and publishes. */
  readonly active: () => boolean;
  stop(): Promise<void>;
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(t);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal.addEventListener("abort", done);
  });

/**
 * Follows the event store from the relay's checkpoint and publishes to the bus; the checkpoint advances only
 * after the broker acknowledged. Without the lock it waits as a standby and takes over when the holder dies.
 */
export function startRelay(options: RelayOptions): RunningRelay {
  const { logger } = options;
  const stopping = new AbortController();
  let isActive = false;
  let announcedStandby = false;

  async function holdLockAndPublish(): Promise<void> {
    const lockClient = new Client({ connectionString: options.connectionString });
    const lost = new AbortController();
    lockClient.on("error", () => lost.abort());
    lockClient.on("end", () => lost.abort());
    const onStop = () => lost.abort();
    stopping.signal.addEventListener("abort", onStop);
    try {
      await lockClient.connect();
      const got = await lockClient.query<{ locked: boolean }>("SELECT pg_try_advisory_lock($1) AS locked", [
        RELAY_LOCK_KEY,
      ]);
      if (!got.rows[0]?.locked) {
        if (!announcedStandby) logger.info("relay standing by: another relay holds the relay lock");
        announcedStandby = true;
        return;
      }
      isActive = true;
      logger.info("relay active: holding the relay lock");
      const from = (await loadCheckpoint(options.knex, RELAY_CHECKPOINT)) ?? logStart;
      for await (const batch of options.store.follow(from, {
        signal: lost.signal,
        batchSize: options.batchSize ?? 500,
      })) {
        const last = batch.at(-1);
        if (!last || lost.signal.aborted) break;
        await options.publisher.publish(batch);
        await saveCheckpoint(options.knex, RELAY_CHECKPOINT, last.logPosition);
      }
    } finally {
      stopping.signal.removeEventListener("abort", onStop);
      if (isActive) logger.info("relay no longer active");
      isActive = false;
      await lockClient.end().catch(() => undefined); // ending the session releases the lock
    }
  }

  const done = (async () => {
    while (!stopping.signal.aborted) {
      try {
        await holdLockAndPublish();
      } catch (err) {
        if (!stopping.signal.aborted) logger.error({ err }, "relay failed; retrying");
      }
      await sleep(options.standbyPollMs ?? 1000, stopping.signal);
    }
  })();

  return {
    active: () => isActive,
    async stop() {
      stopping.abort();
      await done;
    },
  };
}
