import type { Knex } from "knex";
import { loadCheckpoint, saveCheckpoint } from "../db/checkpoints";
import { type EventStore, type LogPosition, logStart } from "../eventstore/eventStore";
import { applyEvents } from "../projections/applyEvents";
import { createReadModelTables } from "../projections/schema";
import { FoldedWriteError, foldedReplay } from "./foldedReplay";
import { lagAfter } from "./projectionHealth";
import {
  LIVE_PROJECTOR,
  READ_TABLES,
  REBUILD_CHECKPOINT,
  REBUILD_LOCK_KEY,
  SHADOW_SCHEMA,
} from "./rebuildNames";

export class RebuildAlreadyRunningError extends Error {
  constructor() {
    super("A projection rebuild is already running (advisory lock held); try again when it has finished");
    this.name = "RebuildAlreadyRunningError";
  }
}

export interface RebuildProgress {
  readonly phase: "replay" | "swap";
  /** Events replayed into the shadow schema so far (including those of an earlier, interrupted run). */
  readonly done: number;
  /** Events in the log as far as is known now; grows while the rebuild runs. */
  readonly total: number;
}

export interface RebuildOptions {
  readonly knex: Knex;
  readonly store: EventStore;
  readonly batchSize?: number;
  /** How long the swap waits for the live tables' locks before it backs off and tries again. */
  readonly swapLockTimeoutMs?: number;
  readonly onProgress?: (progress: RebuildProgress) => void;
  /** Runs before each swap attempt, after the replay has caught up (tests write here, while the swap is due). */
  readonly beforeSwap?: () => Promise<void>;
}

export interface RebuildResult {
  readonly resumed: boolean;
  readonly replayed: number;
  readonly swapAttempts: number;
}

/**
 * Rebuilds the read tables without downtime: replays the log into a shadow schema while the live tables keep
 * serving, catches up, then swaps the tables in one transaction (see swap). The shadow schema and its checkpoint
 * survive a crash, so running it again resumes; a session advisory lock keeps a second rebuild out.
 */
export async function rebuildReadModel(options: RebuildOptions): Promise<RebuildResult> {
  const { knex } = options;
  const conn = await knex.client.acquireConnection();
  try {
    const locked = await conn.query("SELECT pg_try_advisory_lock($1) AS ok", [REBUILD_LOCK_KEY]);
    if (!locked.rows[0]?.ok) throw new RebuildAlreadyRunningError();
    try {
      return await rebuildLocked(options);
    } finally {
      await conn.query("SELECT pg_advisory_unlock($1)", [REBUILD_LOCK_KEY]);
    }
  } finally {
    await knex.client.releaseConnection(conn);
  }
}

async function prepareShadow(knex: Knex, fresh = false): Promise<boolean> {
  const existing = await loadCheckpoint(knex, REBUILD_CHECKPOINT);
  const schema = await knex.raw("SELECT 1 FROM pg_namespace WHERE nspname = ?", [SHADOW_SCHEMA]);
  if (!fresh && existing && schema.rows.length > 0) return true;
  // Tables and checkpoint are created together: a crash leaves either both or neither.
  await knex.transaction(async (trx) => {
    await trx.raw(`DROP SCHEMA IF EXISTS "${SHADOW_SCHEMA}" CASCADE`);
    await trx.table("projection_dead_letters").where({ projector: REBUILD_CHECKPOINT }).delete();
    await createReadModelTables(trx, SHADOW_SCHEMA);
    await saveCheckpoint(trx, REBUILD_CHECKPOINT, logStart);
  });
  return false;
}

async function rebuildLocked(options: RebuildOptions): Promise<RebuildResult> {
  const { knex, store } = options;
  const batchSize = options.batchSize ?? 1000;
  const resumed = await prepareShadow(knex);
  let from = (await loadCheckpoint(knex, REBUILD_CHECKPOINT)) ?? logStart;
  const already = (await lagAfter(knex, null)).events - (await lagAfter(knex, from)).events;
  let done = already;
  let total = done + (await lagAfter(knex, from)).events;
  const report = (phase: RebuildProgress["phase"]) =>
    options.onProgress?.({ phase, done, total: Math.max(total, done) });

  const catchUp = async () => {
    for (;;) {
      const batch = await store.readAll(from, batchSize);
      const last = batch.at(-1);
      if (!last) return;
      await applyEvents(knex, batch, {
        schema: SHADOW_SCHEMA,
        projector: REBUILD_CHECKPOINT,
        checkpoint: last.logPosition,
      });
      from = last.logPosition;
      done += batch.length;
      if (done > total) total = done + (await lagAfter(knex, from)).events;
      report("replay");
    }
  };

  report("replay");
  if (!resumed) {
    // Empty shadow tables: fold the log in memory and write each window's final rows once.
    try {
      const folded = await foldedReplay({
        knex,
        store,
        schema: SHADOW_SCHEMA,
        checkpoint: REBUILD_CHECKPOINT,
        from,
        windowEvents: options.batchSize ?? 20_000,
        onWindow: (n) => {
          done = already + n;
          if (done > total) total = done;
          report("replay");
        },
      });
      from = folded.position;
    } catch (err) {
      if (!(err instanceof FoldedWriteError)) throw err;
      // Rows the database refuses (the batched path parks their events as dead letters): that path, afresh.
      await prepareShadow(knex, true);
      from = logStart;
      done = already;
    }
  }
  await catchUp();
  for (let attempt = 1; ; attempt++) {
    report("swap");
    await options.beforeSwap?.();
    try {
      await swap(options, from, options.swapLockTimeoutMs ?? 250);
      return { resumed, replayed: done - already, swapAttempts: attempt };
    } catch (err) {
      const code = (err as { code?: string }).code;
      // Lock timeout or deadlock: the swap gives way to the requests and the live projector, then tries again.
      if ((code !== "55P03" && code !== "40P01") || attempt >= 50) throw err;
      await new Promise((r) => setTimeout(r, 20 + Math.random() * 50 * attempt));
      from = (await loadCheckpoint(knex, REBUILD_CHECKPOINT)) ?? from;
      await catchUp();
    }
  }
}

/**
 * The hand-over, in one transaction. Lock the live tables (stream_revisions first: every live projector
 * transaction reads it first, so the two never wait on each other in opposite orders), which waits for the live
 * projector's batch in flight and holds off the next one; lock its checkpoint row; catch the shadow up to the
 * head of the readable log, which the live tables cannot be ahead of (so this holds however the live projector
 * keeps its position: this checkpoint, or Kafka offsets); then move the live tables out and the shadow tables in.
 * The live projector carries on from its own position against the new tables, skipping by stream revision what
 * the shadow already applied. Queries wait the few milliseconds the locks are held, then read the new tables.
 */
async function swap(options: RebuildOptions, shadowFrom: LogPosition, lockTimeoutMs: number): Promise<void> {
  const { knex, store } = options;
  const batchSize = options.batchSize ?? 1000;
  await knex.transaction(async (trx) => {
    await trx.raw(`SET LOCAL lock_timeout = '${Math.round(lockTimeoutMs)}ms'`);
    await trx.raw(`LOCK TABLE ${READ_TABLES.map((t) => `public.${t}`).join(", ")} IN ACCESS EXCLUSIVE MODE`);
    const live = await trx
      .table("projection_checkpoints")
      .where({ name: LIVE_PROJECTOR })
      .forUpdate()
      .first();
    // Terminates: once this transaction writes, it has an id, and readAll stays below it.
    let from = shadowFrom;
    for (;;) {
      const batch = await store.readAll(from, batchSize);
      const last = batch.at(-1);
      if (!last) break;
      await applyEvents(trx, batch, {
        schema: SHADOW_SCHEMA,
        projector: REBUILD_CHECKPOINT,
        checkpoint: last.logPosition,
      });
      from = last.logPosition;
    }
    // The old tables' dead letters describe tables that are going away; the shadow's become the live ones.
    await trx.table("projection_dead_letters").where({ projector: LIVE_PROJECTOR }).delete();
    await trx
      .table("projection_dead_letters")
      .where({ projector: REBUILD_CHECKPOINT })
      .update({ projector: LIVE_PROJECTOR });
    await trx.raw('DROP SCHEMA IF EXISTS "rebuild_retired" CASCADE; CREATE SCHEMA "rebuild_retired"');
    for (const t of READ_TABLES) await trx.raw(`ALTER TABLE public.${t} SET SCHEMA "rebuild_retired"`);
    for (const t of READ_TABLES) await trx.raw(`ALTER TABLE "${SHADOW_SCHEMA}".${t} SET SCHEMA public`);
    await trx.raw(`DROP SCHEMA "rebuild_retired" CASCADE; DROP SCHEMA "${SHADOW_SCHEMA}"`);
    await trx.table("projection_checkpoints").where({ name: REBUILD_CHECKPOINT }).delete();
    if (!live) await saveCheckpoint(trx, LIVE_PROJECTOR, from);
  });
}
