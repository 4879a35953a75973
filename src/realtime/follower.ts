import type { Logger } from "pino";
import type { EventConsumer } from "../bus/bus";
import { type EventStore, type LogPosition, logStart, type RecordedEvent } from "../eventstore/eventStore";
import type { LoggedEvent } from "./notices";

export interface LogFollower {
  stop(): Promise<void>;
}

/** Where the log ends now, read to its end: the follower starts there (the backlog covers what came before). */
async function headOfLog(store: EventStore): Promise<LogPosition> {
  let position = logStart;
  for (;;) {
    const page = await store.readAll(position, 1000);
    const last = page.at(-1);
    if (!last) return position;
    position = last.logPosition;
  }
}

/**
 * One follower per process over the event store's global log, for stores other than Postgres (which has its own,
 * see pgFollower.ts): every batch goes to `onEvents`. After an error it resumes from the last position it delivered, so nothing is skipped.
 */
export async function startStoreFollower(options: {
  store: EventStore;
  logger: Logger;
  onEvents: (events: readonly LoggedEvent[]) => void;
}): Promise<LogFollower> {
  const controller = new AbortController();
  let position = await headOfLog(options.store);
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
