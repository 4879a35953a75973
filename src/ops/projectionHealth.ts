import type { Knex } from "knex";
import type { LogPosition } from "../eventstore/eventStore";
import { LIVE_PROJECTOR, REBUILD_CHECKPOINT, REBUILD_LOCK_KEY } from "./rebuildNames";

/** A projector whose oldest unapplied event is older than this is reported as stalled. */
export const STALL_AFTER_SECONDS = 30;

export interface LogHead {
  readonly position: number | null;
  readonly log_position: string | null;
  readonly recorded_at: string | null;
}

export interface ProjectionHealth {
  readonly name: string;
  readonly state: "running" | "rebuilding" | "stalled";
  readonly checkpoint: { log_position: string; updated_at: string } | null;
  readonly lag_events: number;
  readonly lag_seconds: number;
  readonly dead_letters: {
    readonly count: number;
    readonly latest: unknown[];
    readonly how_to_retry: string;
  };
  readonly rebuild: {
    readonly running: boolean;
    readonly checkpoint: string | null;
    readonly lag_events: number;
  };
}

export async function logHead(knex: Knex): Promise<LogHead> {
  const row = await knex
    .table("events")
    .whereRaw("transaction_id < pg_snapshot_xmin(pg_current_snapshot())")
    .orderBy([
      { column: "transaction_id", order: "desc" },
      { column: "global_position", order: "desc" },
    ])
    .first("global_position", knex.raw("transaction_id::text AS tx"), "recorded_at");
  if (!row) return { position: null, log_position: null, recorded_at: null };
  return {
    position: Number(row.global_position),
    log_position: `${row.tx}.${row.global_position}`,
    recorded_at: (row.recorded_at as Date).toISOString(),
  };
}

/** Events readable after a checkpoint, and how long the oldest of them has waited. */
export async function lagAfter(knex: Knex, cp: LogPosition | null) {
  const q = knex
    .table("events")
    .whereRaw("transaction_id < pg_snapshot_xmin(pg_current_snapshot())")
    .first(
      knex.raw("count(*)::bigint AS n"),
      knex.raw("coalesce(extract(epoch FROM now() - min(recorded_at)), 0)::float AS age"),
    );
  if (cp)
    q.whereRaw("(transaction_id, global_position) > (?::text::xid8, ?::bigint)", [
      cp.commit.toString(),
      cp.prepare.toString(),
    ]);
  const row = await q;
  return { events: Number(row?.n ?? 0), seconds: Math.max(0, Number(row?.age ?? 0)) };
}

async function checkpointRow(knex: Knex, name: string) {
  const row = await knex.table("projection_checkpoints").where({ name }).first();
  if (!row) return null;
  return {
    position: { commit: BigInt(row.commit_position), prepare: BigInt(row.prepare_position) },
    log_position: `${row.commit_position}.${row.prepare_position}`,
    updated_at: (row.updated_at as Date).toISOString(),
  };
}

/** Whether some session holds the rebuild lock right now. */
export async function rebuildRunning(knex: Knex): Promise<boolean> {
  const result = await knex.raw(
    `SELECT EXISTS (
       SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND classid = 0 AND objid = ? AND objsubid = 1
         AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
     ) AS held`,
    [REBUILD_LOCK_KEY],
  );
  return Boolean(result.rows[0]?.held);
}

/** The live projector's health: checkpoint against the log head, lag, state, dead letters, any rebuild. */
export async function projectionHealth(
  knex: Knex,
): Promise<{ head: LogHead; projections: ProjectionHealth[] }> {
  const [head, live, shadow, running] = await Promise.all([
    logHead(knex),
    checkpointRow(knex, LIVE_PROJECTOR),
    checkpointRow(knex, REBUILD_CHECKPOINT),
    rebuildRunning(knex),
  ]);
  const lag = await lagAfter(knex, live?.position ?? null);
  const shadowLag = shadow ? await lagAfter(knex, shadow.position) : { events: 0 };
  const dead = knex
    .table("projection_dead_letters")
    .where({ projector: LIVE_PROJECTOR })
    .whereNull("retried_at");
  const [count, latest] = await Promise.all([
    dead.clone().count({ n: "*" }).first(),
    dead
      .clone()
      .orderBy("global_position", "desc")
      .limit(20)
      .select(
        "event_id",
        "stream_id",
        "stream_revision",
        "global_position",
        "event_type",
        "error",
        "failed_at",
      ),
  ]);
  const state = running
    ? "rebuilding"
    : lag.events > 0 && lag.seconds > STALL_AFTER_SECONDS
      ? "stalled"
      : "running";
  return {
    head,
    projections: [
      {
        name: LIVE_PROJECTOR,
        state,
        checkpoint: live ? { log_position: live.log_position, updated_at: live.updated_at } : null,
        lag_events: lag.events,
        lag_seconds: Math.round(lag.seconds * 1000) / 1000,
        dead_letters: {
          count: Number(count?.n ?? 0),
          latest,
          how_to_retry:
            "Fix the cause (usually a code fix), then `livechat projections retry`: it applies these events " +
            "again from the store (a gap's missing events first) and never overwrites a row a later event wrote. " +
            "Or `livechat projections rebuild read_model`: the replay applies every event again into a shadow " +
            "schema and the swap clears these dead letters.",
        },
        rebuild: { running, checkpoint: shadow?.log_position ?? null, lag_events: shadowLag.events },
      },
    ],
  };
}
