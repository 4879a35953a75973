import type { Knex } from "knex";
import { checkpointUpsert, saveCheckpoint } from "../db/checkpoints";
import { runAtomically, type Statement } from "../db/sqlScript";
import { toFact } from "../events/facts";
import type { LogPosition, RecordedEvent } from "../eventstore/eventStore";
import { batchedStatements, executeOne } from "./batchedOps";
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

async function storedRevisions(db: Knex, schema: string, events: readonly RecordedEvent[]) {
  const ids = [...new Set(events.map((e) => e.streamId))];
  const rows: { stream_id: string; revision: string }[] = await db
    .withSchema(schema)
    .table("stream_revisions")
    .select("stream_id", "revision")
    .whereIn("stream_id", ids);
  return new Map(rows.map((r) => [r.stream_id, BigInt(r.revision)]));
}

/**
 * What the batch would find if nothing of it was applied yet and nothing is missing before it: each stream
 * stored at the revision before its first event here. The common case of a follower reading the log in order.
 */
function predictedRevisions(events: readonly RecordedEvent[]) {
  const revisions = new Map<string, bigint>();
  for (const e of events) if (!revisions.has(e.streamId)) revisions.set(e.streamId, e.revision - 1n);
  return revisions;
}

/** A stream's stored revision the plan was made against (-1: none stored), and the one it moves to. */
interface Claim {
  readonly stored: bigint;
  readonly revision: bigint;
  readonly position: bigint;
}

/** A batch's writes, decided from given stored revisions; valid only while the stored revisions are those. */
interface Plan {
  readonly result: ApplyResult;
  readonly ops: readonly RowOp[];
  readonly gaps: readonly { readonly event: RecordedEvent; readonly error: StreamGapError }[];
  readonly retried: readonly string[];
  readonly claims: ReadonlyMap<string, Claim>;
}

function plan(events: readonly RecordedEvent[], stored: ReadonlyMap<string, bigint>, options: ApplyOptions) {
  const revisions = new Map(stored);
  const ops: RowOp[] = [];
  const gaps: { event: RecordedEvent; error: StreamGapError }[] = [];
  const retried: string[] = [];
  const claims = new Map<string, Claim>();
  let applied = 0;
  let skipped = 0;
  for (const event of events) {
    if (!claims.has(event.streamId)) {
      const at = stored.get(event.streamId) ?? -1n;
      claims.set(event.streamId, { stored: at, revision: at, position: 0n });
    }
    const retry = options.retry?.has(event.id) === true;
    const admission = admit(event.revision, revisions.get(event.streamId), retry);
    if (admission.kind === "skip") {
      skipped++;
      continue;
    }
    if (admission.kind === "gap") {
      // Loud, not silent: parked with an error naming the gap, and the stream's revision stays where it is.
      gaps.push({ event, error: new StreamGapError(event.streamId, admission.expected, event.revision) });
      continue;
    }
    ops.push(...opsOf(event));
    applied++;
    if (retry) retried.push(event.id);
    if (!admission.advances) continue;
    revisions.set(event.streamId, event.revision);
    const claim = claims.get(event.streamId) as Claim;
    claims.set(event.streamId, { ...claim, revision: event.revision, position: event.position });
  }
  const result = { applied, skipped, deadLettered: gaps.length };
  return { result, ops, gaps, retried, claims } satisfies Plan;
}

/** Raised by projection_claimed (migration 016) when a stream's stored revision is not the planned one. */
const CLAIM_MISSED = "P0412";

/**
 * The plan's first statement: moves each stream's stored revision on from the one planned against (a
 * compare-and-set: it creates a stream planned as absent, moves one planned at n only if still at n, and
 * checks that a stream the plan leaves alone is still where planned), and raises CLAIM_MISSED unless every
 * stream was as planned; so the plan's row writes, run after it in the same transaction, are the right ones.
 * It also takes the streams' row locks before any read table's, as the rebuild's hand-over locks them.
 */
function claimStatement(db: Knex | Knex.Transaction, schema: string, claims: ReadonlyMap<string, Claim>) {
  const rows = [...claims].map(([id, c]) => [
    id,
    c.stored.toString(),
    c.revision.toString(),
    c.position.toString(),
  ]);
  const values = rows.map(() => "(?::text, ?::bigint, ?::bigint, ?::bigint)").join(", ");
  const table = `"${schema}".stream_revisions`;
  return db.raw(
    `WITH planned (stream_id, stored, revision, position) AS (VALUES ${values}),
    created AS (
      INSERT INTO ${table} (stream_id, revision, position)
      SELECT stream_id, revision, position FROM planned WHERE stored = -1 AND revision > stored
      ON CONFLICT (stream_id) DO NOTHING
      RETURNING 1
    ),
    moved AS (
      UPDATE ${table} AS r SET revision = p.revision, position = p.position FROM planned p
      WHERE r.stream_id = p.stream_id AND p.stored >= 0 AND p.revision > p.stored AND r.revision = p.stored
      RETURNING 1
    ),
    held AS (
      SELECT 1 FROM planned p LEFT JOIN ${table} r USING (stream_id)
      WHERE p.revision = p.stored AND coalesce(r.revision, -1) = p.stored
    )
    SELECT projection_claimed(
      (SELECT count(*) FROM created) + (SELECT count(*) FROM moved) + (SELECT count(*) FROM held), ${rows.length})`,
    rows.flat(),
  );
}

function planStatements(db: Knex | Knex.Transaction, p: Plan, options: ApplyOptions): Statement[] {
  const statements: Statement[] = [claimStatement(db, options.schema, p.claims)];
  for (const { event, error } of p.gaps) statements.push(deadLetter(db, options.projector, event, error));
  statements.push(...batchedStatements(db, options.schema, p.ops));
  if (p.retried.length > 0) statements.push(markRetried(db, options.projector, p.retried));
  if (options.checkpoint) statements.push(checkpointUpsert(db, options.projector, options.checkpoint));
  return statements;
}

/** Runs a plan's writes, all or none: false if the stored revisions were not those it was made against. */
async function tryPlan(knex: Knex, p: Plan, options: ApplyOptions): Promise<boolean> {
  try {
    await runAtomically(knex, (db) => planStatements(db, p, options));
    return true;
  } catch (err) {
    if ((err as { code?: string }).code === CLAIM_MISSED) return false;
    throw err;
  }
}

/** One event at a time, each in a savepoint: the events that fail are parked, the others apply. */
async function applyIsolated(trx: Knex.Transaction, events: readonly RecordedEvent[], options: ApplyOptions) {
  const revisions = await storedRevisions(trx, options.schema, events);
  const touched = new Map<string, RecordedEvent>();
  let applied = 0;
  let skipped = 0;
  let deadLettered = 0;
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
      const gap = new StreamGapError(event.streamId, admission.expected, event.revision);
      await deadLetter(trx, options.projector, event, gap);
      deadLettered++;
      continue;
    }
    let ok = true;
    try {
      await trx.transaction((sp) => applyOne(sp, options.schema, event));
    } catch (err) {
      await deadLetter(trx, options.projector, event, err);
      ok = false;
    }
    if (ok) applied++;
    else deadLettered++;
    if (ok && options.retry?.has(event.id)) retried.push(event.id);
    // A failed event still moves its stream on (it is parked, the stream is not held for it).
    if (!admission.advances) continue;
    revisions.set(event.streamId, event.revision);
    touched.set(event.streamId, event);
  }
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
 * Applies a batch exactly once, its writes in one transaction: an event at or below its stream's stored
 * revision is skipped, and the revisions (and the checkpoint, if any) commit with the rows.
 *
 * The writes are planned first, then sent together (one round trip on a pool, see runAtomically), led by a
 * claim of the streams' stored revisions that rolls everything back unless they are the ones planned against.
 * Planned first against the revisions a follower reading the log in order finds (each stream just before its
 * first event here): the whole batch in one round trip. If they were not those (a redelivery, a gap, a
 * retry), planned again against the stored revisions, read in a round trip of its own. If the batch fails
 * (or the revisions moved again meanwhile), it is applied again one event at a time in one transaction, and
 * the events that still fail are parked as dead letters.
 */
export async function applyEvents(
  knex: Knex,
  events: readonly RecordedEvent[],
  options: ApplyOptions,
): Promise<ApplyResult> {
  if (events.length === 0) return { applied: 0, skipped: 0, deadLettered: 0 };
  try {
    if (!options.retry?.size) {
      const predicted = plan(events, predictedRevisions(events), options);
      if (await tryPlan(knex, predicted, options)) return predicted.result;
    }
    const stored = plan(events, await storedRevisions(knex, options.schema, events), options);
    if (await tryPlan(knex, stored, options)) return stored.result;
  } catch {
    // An event the tables refuse: found and parked below.
  }
  return knex.transaction((trx) => applyIsolated(trx, events, options));
}

function deadLetter(db: Knex | Knex.Transaction, projector: string, event: RecordedEvent, err: unknown) {
  return db
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
    .merge({ error: db.raw("excluded.error"), failed_at: db.fn.now(), retried_at: null });
}

function markRetried(db: Knex | Knex.Transaction, projector: string, eventIds: readonly string[]) {
  return db
    .table("projection_dead_letters")
    .where({ projector })
    .whereIn("event_id", eventIds)
    .whereNull("retried_at")
    .update({ retried_at: db.fn.now() });
}
