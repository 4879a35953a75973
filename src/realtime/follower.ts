import type { Knex } from "knex";
import type { Logger } from "pino";
import type { EventConsumer } from "../bus/bus";
import { type EventStore, type LogPosition, logStart, type RecordedEvent } from "../eventstore/eventStore";
import type { LoggedEvent } from "./notices";

export interface LogFollower {
  stop(): Promise<void>;
}

/**
 * Where the readable log ends now, so the follower starts there: anything earlier reaches a socket through its
 * subscription's backlog, never through the follower. Postgres: one indexed query; other stores: read to the end.
 */
async function headOfLog(store: EventStore, knex: Knex | null): Promise<LogPosition> {
  if (knex !== null) {
    const row = await knex
      .select(knex.raw("transaction_id::text AS commit"), "global_position")
      .from("events")
      .whereRaw("transaction_id < pg_snapshot_xmin(pg_current_snapshot())")
      .orderByRaw("transaction_id DESC, global_position DESC")
      .first();
    return row ? { commit: BigInt(row.commit), prepare: BigInt(row.global_position) } : logStart;
  }
  let position = logStart;
  for (;;) {
    const page = await store.readAll(position, 1000);
    const last = page.at(-1);
    if (!last) return position;
    position = last.logPosition;
  }
}

/**
 * One follower per process over the event store's global log (woken by LISTEN/NOTIFY on Postgres): every batch
 * goes to `onEvents`. After an error it resumes from the last position it delivered, so nothing is skipped.
 */
export async function startStoreFollower(options: {
  store: EventStore;
  /** The Postgres that holds the `events` table (Postgres event store), else null. */
  eventsKnex: Knex | null;
  logger: Logger;
  onEvents: (events: readonly LoggedEvent[]) => void;
}): Promise<LogFollower> {
  const controller = new AbortController();
  let position = await headOfLog(options.store, options.eventsKnex);
  const done = (async () => {
    while (!controller.signal.aborted) {
      try {
        for await (const batch of options.store.follow(position, { signal: controller.signal })) {
          const last = batch.at(-1);
          if (last) position = last.logPosition;
          options.onEvents(batch);
        }
      } catch (err) {
        if (controller.signal.aborted) break;
        options.logger.error({ err }, "real-time log follower failed; resuming");
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  })();
  return {
    async stop() {
      controller.abort();
      await done;
    },
  };
}

/** Kafka mode: a consumer in a group of its own (never the projectors'), reading from the topic's end. */
export async function startKafkaFollower(options: {
  consumer: EventConsumer;
  /** Opens the sealed personal fields the topic carries (message bodies among them) before any socket sees them. */
  open: (events: readonly RecordedEvent[]) => Promise<RecordedEvent[]>;
  onEvents: (events: readonly LoggedEvent[]) => void;
}): Promise<LogFollower> {
  await options.consumer.run(async (events) => options.onEvents(await options.open(events)));
  return { stop: () => options.consumer.close() };
}
