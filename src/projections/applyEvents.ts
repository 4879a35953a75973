import type { Knex } from "knex";
import { saveCheckpoint } from "../db/checkpoints";
import { toFact } from "../events/facts";
import type { LogPosition, RecordedEvent } from "../eventstore/eventStore";
import { executeBatched, executeOne } from "./batchedOps";
import { projections } from "./index";
import type { RowOp } from "./rowOps";

export interface ApplyOptions {
  /** Schema of the read tables: "public", or a shadow schema during a rebuild. */
  readonly schema: string;
  /** The projector's name, for its checkpoint and its dead letters. */
  readonly projector: string;
  /** Saved in the same transaction as the rows, when the projector follows the store itself. */
  readonly checkpoint?: LogPosition;
}

export interface ApplyResult {
  readonly applied: number;
  readonly skipped: number;
  readonly deadLettered: number;
}

function opsOf(event: RecordedEvent): RowOp[] {
  const fact = toFact(event);
  return projections.flatMap((projection) => projection.project(fact));
}

async function applyOne(trx: Knex.Transaction, schema: string, event: RecordedEvent): Promise<void> {
  for (const op of opsOf(event)) await executeOne(trx, schema, op);
}

async function storedRevisions(trx: Knex.Transaction, schema: string, events: readonly RecordedEvent[]) {
  const ids = [...new Set(events.map((e) => e.streamId))];
  const rows: { stream_id: string; revision: string }[] = await trx
    .withSchema(schema)
    .table("stream_revisions")
    .select("stream_id", "revision")
    .whereIn("stream_id", ids);
  return new Map(rows.map((r) => [r.stream_id, BigInt(r.revision)]));
}

async function applyAll(
  trx: Knex.Transaction,
  events: readonly RecordedEvent[],
  options: ApplyOptions,
  isolate: boolean,
) {
  const revisions = await storedRevisions(trx, options.schema, events);
  const touched = new Map<string, RecordedEvent>();
  let applied = 0;
  let skipped = 0;
  let deadLettered = 0;
  // Without isolation the whole batch's row operations run together, in fewer round trips.
  const pending: RowOp[] = [];
  for (const event of events) {
    if (event.revision <= (revisions.get(event.streamId) ?? -1n)) {
      skipped++;
      continue;
    }
    if (isolate) {
      try {
        await trx.transaction((sp) => applyOne(sp, options.schema, event));
        applied++;
      } catch (err) {
        await deadLetter(trx, options.projector, event, err);
        deadLettered++;
      }
    } else {
      pending.push(...opsOf(event));
      applied++;
    }
    revisions.set(event.streamId, event.revision);
    touched.set(event.streamId, event);
  }
  await executeBatched(trx, options.schema, pending);
  if (touched.size > 0) {
    await trx
      .withSchema(options.schema)
      .table("stream_revisions")
      .insert(
        [...touched.values()].map((e) => ({
          stream_id: e.streamId,
          revision: e.revision.toString(),
          position: e.position.toString(),
        })),
      )
      .onConflict("stream_id")
      .merge();
  }
  if (options.checkpoint) await saveCheckpoint(trx, options.projector, options.checkpoint);
  return { applied, skipped, deadLettered };
}

/**
 * Applies a batch in one transaction, exactly once: an event at or below its stream's stored revision is
 * skipped, and the revisions (and the checkpoint, if any) commit with the rows. If the batch fails, it is
 * applied again one event at a time and the events that still fail are parked as dead letters.
 */
export async function applyEvents(
  knex: Knex,
  events: readonly RecordedEvent[],
  options: ApplyOptions,
): Promise<ApplyResult> {
  if (events.length === 0) return { applied: 0, skipped: 0, deadLettered: 0 };
  try {
    return await knex.transaction((trx) => applyAll(trx, events, options, false));
  } catch {
    return knex.transaction((trx) => applyAll(trx, events, options, true));
  }
}

async function deadLetter(trx: Knex.Transaction, projector: string, event: RecordedEvent, err: unknown) {
  await trx
    .table("projection_dead_letters")
    .insert({
      projector,
      event_id: event.id,
      stream_id: event.streamId,
      stream_revision: event.revision.toString(),
      global_position: event.position.toString(),
      event_type: event.type,
      error: err instanceof Error ? err.message : String(err),
    })
    .onConflict(["projector", "event_id"])
    .merge(["error", "failed_at"]);
}
