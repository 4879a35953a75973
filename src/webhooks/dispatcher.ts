import type { Knex } from "knex";
import type { Logger } from "pino";
import { loadCheckpoint, saveCheckpoint } from "../db/checkpoints";
import { compareLogPositions, type EventStore, type LogPosition, logStart } from "../eventstore/eventStore";
import { deliveriesFor, enqueue } from "./deliveries";
import { activeEndpoints } from "./endpoints";

/** The dispatcher's checkpoint in `projection_checkpoints`. */
export const WEBHOOK_CHECKPOINT = "webhooks";

/** Queues the deliveries of a batch and moves the checkpoint in one transaction: each event is queued once. */
async function queueBatch(knex: Knex, batch: Parameters<typeof deliveriesFor>[0], to: LogPosition) {
  return knex.transaction(async (trx) => {
    const rows = deliveriesFor(batch, await activeEndpoints(trx));
    await enqueue(trx, rows);
    await saveCheckpoint(trx, WEBHOOK_CHECKPOINT, to);
    return rows.length;
  });
}

/**
 * Follows the event log like a projector and queues a delivery per subscribed endpoint. An endpoint receives the
 * events after it was registered; earlier ones by replay.
 */
export function startWebhookDispatcher(options: {
  readonly knex: Knex;
  readonly store: EventStore;
  readonly logger: Logger;
  /** Called after a batch queued deliveries: wakes the sender. */
  readonly onQueued?: (count: number) => void;
  readonly retryDelayMs?: number;
}): { stop(): Promise<void> } {
  const { knex, store, logger } = options;
  const controller = new AbortController();
  const done = (async () => {
    while (!controller.signal.aborted) {
      try {
        const from = (await loadCheckpoint(knex, WEBHOOK_CHECKPOINT)) ?? logStart;
        for await (const batch of store.follow(from, { signal: controller.signal })) {
          const last = batch.at(-1);
          if (!last) continue;
          const queued = await queueBatch(knex, batch, last.logPosition);
          if (queued > 0) options.onQueued?.(queued);
          if (controller.signal.aborted) return;
        }
      } catch (err) {
        if (controller.signal.aborted) break;
        logger.error({ err }, "webhook dispatcher failed; resuming from its checkpoint");
        await new Promise((r) => setTimeout(r, options.retryDelayMs ?? 1000));
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

/** A replay asked for a position the log does not hold. */
export class UnknownReplayPositionError extends Error {
  constructor(readonly position: number) {
    super(`No event at position ${position}`);
    this.name = "UnknownReplayPositionError";
  }
}

/**
 * Queues again, for one endpoint, every subscribed event from `fromPosition` (inclusive; 0 is the start of the
 * log) up to what the dispatcher has reached; later events reach the endpoint live. Replayed deliveries get
 * new ids (`webhook-id`), since the receiver asked to see them again; `data.event_id` names the event.
 */
export async function replay(
  knex: Knex,
  store: EventStore,
  endpoint: { id: string; event_types: string[] },
  fromPosition: number,
): Promise<number> {
  const reached = await loadCheckpoint(knex, WEBHOOK_CHECKPOINT);
  if (reached === null) return 0;
  let after = logStart;
  let queued = 0;
  if (fromPosition > 0) {
    const first = await store.readAt(BigInt(fromPosition));
    if (first === null) throw new UnknownReplayPositionError(fromPosition);
    if (compareLogPositions(first.logPosition, reached) > 0) return 0;
    const rows = deliveriesFor([first], [endpoint], { replay: true });
    await knex.transaction((trx) => enqueue(trx, rows));
    queued += rows.length;
    after = first.logPosition;
  }
  for (;;) {
    const batch = (await store.readAll(after, 500)).filter(
      (e) => compareLogPositions(e.logPosition, reached) <= 0,
    );
    const last = batch.at(-1);
    if (!last) return queued;
    const rows = deliveriesFor(batch, [endpoint], { replay: true });
    await knex.transaction((trx) => enqueue(trx, rows));
    queued += rows.length;
    after = last.logPosition;
  }
}
