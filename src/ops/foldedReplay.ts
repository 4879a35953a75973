import type { Knex } from "knex";
import { saveCheckpoint } from "../db/checkpoints";
import { toFact } from "../events/facts";
import type { EventLog, LogPosition, RecordedEvent } from "../eventstore/eventStore";
import { IndexedTables } from "../projections/indexedTables";
import type { ReadTable, Row } from "../projections/rowOps";

export interface FoldedReplayOptions {
  readonly knex: Knex;
  readonly store: Pick<EventLog, "readAll">;
  /** Schema of EMPTY read tables (a rebuild's fresh shadow schema). */
  readonly schema: string;
  /** Name of the checkpoint saved with each window's rows. */
  readonly checkpoint: string;
  readonly from: LogPosition;
  /** Events per window: folded, then written and checkpointed together. */
  readonly windowEvents?: number;
  /** Events folded in memory at most (the rest is left to the batched path); bounds the memory used. */
  readonly maxEvents?: number;
  /** Rows per statement. */
  readonly chunkRows?: number;
  /** Statements in flight at once (each on a connection of its own). */
  readonly parallel?: number;
  /** Called after each window is written and checkpointed, with the events replayed so far. */
  readonly onWindow?: (events: number) => void;
}

export interface FoldedReplayResult {
  readonly events: number;
  /** Where the replay got to (its checkpoint), or `from` when the log was empty. */
  readonly position: LogPosition;
  readonly readAndFoldMs: number;
  readonly writeMs: number;
  /** Row writes: a row changed in several windows counts once per window. */
  readonly rows: number;
}

/** The database refused rows of the folded replay: the caller starts again on the batched path. */
export class FoldedWriteError extends Error {
  constructor(override readonly cause: unknown) {
    super(`folded replay: writing rows failed: ${(cause as Error)?.message ?? String(cause)}`);
    this.name = "FoldedWriteError";
  }
}

/** Tables in foreign-key order (each waits for the one before it) and the column each row is upserted on. */
const ORDER: readonly ReadTable[] = [
  "chat_users",
  "chat_sessions",
  "chat_session_contacts",
  "chat_messages",
  "chat_agents",
  "chat_notes",
  "canned_responses",
  "search_documents",
];
const KEY: Record<ReadTable | "stream_revisions", string> = {
  chat_users: "id",
  chat_sessions: "id",
  chat_session_contacts: "session_id",
  chat_messages: "id",
  chat_agents: "id",
  chat_notes: "id",
  canned_responses: "id",
  search_documents: "id",
  stream_revisions: "stream_id",
};

/**
 * Replays the log into EMPTY read tables, writing each window's final rows once instead of each event's row
 * operations: every event is folded in memory (IndexedTables: the row operations' own semantics, holding all
 * rows, so a later window's updates find earlier rows), then the rows a window inserted or changed are upserted
 * in large INSERT … SELECT FROM json_populate_recordset statements, a table's chunks in parallel, tables in
 * foreign-key order, then the stream revisions, then the checkpoint. The next read of the log is under way while
 * a window is folded and written. Row-at-a-time upserts cost a statement per few events; this costs one per
 * `chunkRows` rows. A crash leaves the last window's checkpoint with its rows: the batched path resumes there.
 */
export async function foldedReplay(options: FoldedReplayOptions): Promise<FoldedReplayResult> {
  const { knex, store, schema } = options;
  const maxEvents = options.maxEvents ?? 2_000_000;
  const window = Math.max(1, options.windowEvents ?? 20_000);
  const tables = new IndexedTables();
  let revisions = new Map<string, RecordedEvent>();
  let position = options.from;
  let events = 0;
  let rows = 0;
  let foldMs = 0;
  let writeMs = 0;
  const read = (after: LogPosition) =>
    events >= maxEvents ? Promise.resolve([]) : store.readAll(after, Math.min(window, maxEvents - events));
  let next = read(position);
  for (;;) {
    const t0 = performance.now();
    const batch = await next;
    const last = batch.at(-1);
    if (!last) break;
    events += batch.length;
    position = last.logPosition;
    next = read(position);
    for (const event of batch) {
      tables.fold(toFact(event), event.logPosition);
      revisions.set(event.streamId, event);
    }
    const t1 = performance.now();
    foldMs += t1 - t0;
    const streamRows = [...revisions.values()].map((e) => ({
      stream_id: e.streamId,
      revision: e.revision.toString(),
      position: e.position.toString(),
    }));
    revisions = new Map();
    const changed = ORDER.map((t) => [t, tables.takeChanged(t)] as const);
    try {
      // Stream revisions only after their rows: one that is stored says its stream's rows are complete (the
      // batched path skips by it), whatever statement a crash stopped.
      for (const [table, list] of changed) await upsertRows(knex, schema, table, list, options);
      await upsertRows(knex, schema, "stream_revisions", streamRows, options);
    } catch (err) {
      throw new FoldedWriteError(err);
    }
    await saveCheckpoint(knex, options.checkpoint, position);
    rows += streamRows.length + changed.reduce((n, [, list]) => n + list.length, 0);
    writeMs += performance.now() - t1;
    options.onWindow?.(events);
  }
  await next.catch(() => undefined);
  return { events, position, readAndFoldMs: foldMs, writeMs, rows };
}

/** Rows grouped by their columns (a column a row leaves out takes the table's default), in chunks, in parallel. */
async function upsertRows(
  knex: Knex,
  schema: string,
  table: ReadTable | "stream_revisions",
  rows: readonly Row[],
  options: Pick<FoldedReplayOptions, "chunkRows" | "parallel">,
): Promise<void> {
  const chunkRows = options.chunkRows ?? 5000;
  const groups = new Map<string, Row[]>();
  for (const row of rows) {
    const key = Object.keys(row).sort().join(",");
    const group = groups.get(key);
    if (group) group.push(row);
    else groups.set(key, [row]);
  }
  const statements: (() => Promise<unknown>)[] = [];
  for (const [key, group] of groups) {
    const names = key.split(",");
    const columns = names.map((c) => `"${c}"`).join(", ");
    const updates = names
      .filter((c) => c !== KEY[table])
      .map((c) => `"${c}" = excluded."${c}"`)
      .join(", ");
    const sql = `INSERT INTO "${schema}"."${table}" (${columns})
      SELECT ${columns} FROM json_populate_recordset(NULL::"${schema}"."${table}", ?::json)
      ON CONFLICT ("${KEY[table]}") DO ${updates ? `UPDATE SET ${updates}` : "NOTHING"}`;
    for (let i = 0; i < group.length; i += chunkRows) {
      const chunk = JSON.stringify(group.slice(i, i + chunkRows));
      statements.push(() => knex.raw(sql, [chunk]));
    }
  }
  let nextStatement = 0;
  await Promise.all(
    Array.from({ length: Math.max(1, options.parallel ?? 4) }, async () => {
      for (let s = statements[nextStatement++]; s; s = statements[nextStatement++]) await s();
    }),
  );
}
