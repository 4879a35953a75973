import type { Knex } from "knex";
import { saveCheckpoint } from "../db/checkpoints";
import { toFact } from "../events/facts";
import type { LogPosition, RecordedEvent } from "../eventstore/eventStore";
import { executeBatched, executeOne } from "./batchedOps";
import { projections } from "./index";
import { type RowOp, versioned } from "./rowOps";
import { admit } from "./streamOrder";

export interface ApplyOptions {
  /** Schema of the read tables: "public", or a shadow schema during a rebuild. */
  readonly schema: string;
  /** The projector's name, for its checkpoint and its dead letters. */
  readonly projector: string;
  /** Saved in the same transaction as the rows, when the projector follows the store itself. */
  readonly checkpoint?: LogPosition;
  /**
   * Ids of dead letters being retried: applied even at or below their stream's stored revision (row versions
   * keep rows that later events wrote), and marked retried once they apply.
   */
  readonly retry?: ReadonlySet<string>;
}

/** An event whose stream's previous revision has not been applied: applying it would hide the missing ones. */
export class StreamGapError extends Error {
  constructor(streamId: string, expected: bigint, got: bigint) {
    super(
      `Gap in stream ${streamId}: expected revision ${expected}, got ${got}; the stream is held (its later ` +
        "events are parked too) until the missing events are applied: livechat projections retry",
    );
    this.name = "StreamGapError";
  }
}

export interface ApplyResult {
  readonly applied: number;
  readonly skipped: number;
  readonly deadLettered: number;
}

function opsOf(event: RecordedEvent): RowOp[] {
  const fact = toFact(event);
  return projections
    .flatMap((projection) => projection.project(fact))
    .map((op) => versioned(op, event.logPosition));
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
  const retried: string[] = [];
  for (const event of events) {
    const admission = admit(
      event.revision,
      revisions.get(event.streamId),
      options.retry?.has(event.id) === true,
    );
    if (admission.kind === "skip") {
      skipped++;
      continue;
    }
    if (admission.kind === "gap") {
      // Loud, not silent: parked with an error naming the gap, and the stream's revision stays where it is.
      const gap = new StreamGapError(event.streamId, admission.expected, event.revision);
      await deadLetter(trx, options.projector, event, gap);
      deadLettered++;
      continue;
    }
    let ok = true;
    if (isolate) {
      try {
        await trx.transaction((sp) => applyOne(sp, options.schema, event));
      } catch (err) {
        await deadLetter(trx, options.projector, event, err);
        ok = false;
      }
    } else {
      pending.push(...opsOf(event));
    }
    if (ok) applied++;
    else deadLettered++;
    if (ok && options.retry?.has(event.id)) retried.push(event.id);
    // A failed event still moves its stream on (it is parked, the stream is not held for it).
    if (!admission.advances) continue;
    revisions.set(event.streamId, event.revision);
    touched.set(event.streamId, event);
  }
  await executeBatched(trx, options.schema, pending);
  if (retried.length > 0) await markRetried(trx, options.projector, retried);
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
      .merge()
      // Never backwards, whoever else (a retry, another worker after a rebalance) wrote it meanwhile.
      .whereRaw(`"stream_revisions"."revision" < excluded."revision"`);
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
    .merge({ error: trx.raw("excluded.error"), failed_at: trx.fn.now(), retried_at: null });
}

async function markRetried(trx: Knex.Transaction, projector: string, eventIds: readonly string[]) {
  await trx
    .table("projection_dead_letters")
    .where({ projector })
    .whereIn("event_id", eventIds)
    .whereNull("retried_at")
    .update({ retried_at: trx.fn.now() });
}
