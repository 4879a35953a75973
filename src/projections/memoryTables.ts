import type { Fact } from "../events/chatEvents";
import { eraseRowsInMemory } from "./erasure";
import { projections } from "./index";
import { isNotNewer, type ReadTable, ROW_VERSION, type Row, type RowOp } from "./rowOps";

/** The read tables held in memory: what folding a few streams for a point-in-time view needs. */
export type MemoryTables = Record<ReadTable, Record<string, unknown>[]>;

export function emptyTables(): MemoryTables {
  return {
    chat_users: [],
    chat_sessions: [],
    chat_session_contacts: [],
    chat_messages: [],
    chat_agents: [],
    chat_notes: [],
    canned_responses: [],
    search_documents: [],
  };
}

const matches = (row: Record<string, unknown>, where: Row) =>
  Object.entries(where).every(([k, v]) => row[k] === v);

/**
 * Applies one RowOp with the semantics applyEvents gives it in Postgres (upsert on the conflict columns, update;
 * a versioned op leaves rows a later event wrote).
 */
export function applyRowOp(tables: MemoryTables, op: RowOp): void {
  if (op.kind === "erase") {
    eraseRowsInMemory(tables, op.table, op.chatUserIds);
    return;
  }
  const rows = tables[op.table];
  if (op.kind === "update") {
    for (const row of rows)
      if (matches(row, op.where) && isNotNewer(row[ROW_VERSION], op.version)) Object.assign(row, op.set);
    return;
  }
  const key = Object.fromEntries(op.conflict.map((c) => [c, op.row[c]]));
  const existing = rows.find((r) => matches(r, key));
  if (!existing) rows.push({ ...op.row });
  else if (op.onConflict === "replace" && isNotNewer(existing[ROW_VERSION], op.version))
    Object.assign(existing, op.row);
}

/**
 * Folds facts into in-memory tables with the projections' own RowOps — the same code that writes the live
 * tables, so a point-in-time view and the read model cannot disagree about what an event means.
 */
export function foldFacts(facts: Iterable<Fact>, tables: MemoryTables = emptyTables()): MemoryTables {
  for (const fact of facts) {
    for (const projection of projections) for (const op of projection.project(fact)) applyRowOp(tables, op);
  }
  return tables;
}
