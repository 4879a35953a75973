import type { Knex } from "knex";
import type { Logger } from "pino";
import { loadCheckpoint } from "../db/checkpoints";
import { type EventStore, logStart } from "../eventstore/eventStore";
import { applyEvents } from "./applyEvents";

export interface LogProjectorOptions {
  readonly knex: Knex;
  readonly store: EventStore;
  readonly logger: Logger;
  readonly name?: string;
  readonly schema?: string;
  readonly batchSize?: number;
  readonly retryDelayMs?: number;
  /** Called after each committed batch (metrics, tests). */
  readonly onBatch?: (info: { applied: number; skipped: number; deadLettered: number }) => void;
}

export interface RunningProjector {
  /** Stops at a transaction boundary: the batch being applied commits or rolls back whole. */
  stop(): Promise<void>;
}

/** The embedded-mode projector: follows the store's global log and keeps its checkpoint with the rows. */
export function startLogProjector(options: LogProjectorOptions): RunningProjector {
  const { knex, store, logger } = options;
  const name = options.name ?? "read_model";
  const schema = options.schema ?? "public";
  const controller = new AbortController();

  async function runOnce(): Promise<void> {
    const from = (await loadCheckpoint(knex, name)) ?? logStart;
    for await (const batch of store.follow(from, {
      signal: controller.signal,
      batchSize: options.batchSize,
    })) {
      const last = batch.at(-1);
      if (!last) continue;
      const result = await applyEvents(knex, batch, {
        schema,
        projector: name,
        checkpoint: last.logPosition,
      });
      if (result.deadLettered > 0)
        logger.error({ projector: name, ...result }, "events parked as dead letters");
      options.onBatch?.(result);
      if (controller.signal.aborted) return;
    }
  }

  const done = (async () => {
    while (!controller.signal.aborted) {
      try {
        await runOnce();
      } catch (err) {
        if (controller.signal.aborted) break;
        logger.error({ err, projector: name }, "projector failed; resuming from its checkpoint");
        await abortableDelay(options.retryDelayMs ?? 1000, controller.signal);
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

function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done);
  });
}
