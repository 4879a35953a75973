import type { Knex } from "knex";
import { eraseRows } from "./erasure";
import { type ReadTable, ROW_VERSION, type RowOp } from "./rowOps";

/** Tables in the order their rows depend on each other: users before sessions before contacts and messages. */
const TABLE_ORDER: readonly ReadTable[] = [
  "chat_users",
  "chat_sessions",
  "chat_session_contacts",
  "chat_messages",
  "chat_agents",
];
const MAX_ROWS = 500;

type Upsert = Extract<RowOp, { kind: "upsert" }>;

/** Upserts that can share one INSERT: same table, conflict target, conflict rule and columns. */
const shape = (op: Upsert) =>
  `${op.conflict.join(",")}|${op.onConflict}|${op.version !== undefined}|${Object.keys(op.row).sort().join(",")}`;
const conflictKey = (op: Upsert) => JSON.stringify(op.conflict.map((c) => op.row[c]));

/** ON CONFLICT DO UPDATE … WHERE: the existing row is replaced only if no later event wrote it. */
const notNewer = (table: ReadTable) =>
  `"${table}"."${ROW_VERSION}" IS NULL OR "${table}"."${ROW_VERSION}" <= excluded."${ROW_VERSION}"`;

export async function executeOne(trx: Knex.Transaction, schema: string, op: RowOp): Promise<void> {
  if (op.kind === "erase") {
    await eraseRows(trx, schema, op.table, op.chatUserIds);
    return;
  }
  const table = trx.withSchema(schema).table(op.table);
  if (op.kind === "update") {
    const { version } = op;
    const where = table.where(op.where);
    if (version !== undefined)
      where.where((q) => q.whereNull(ROW_VERSION).orWhere(ROW_VERSION, "<=", version));
    await where.update(op.set);
    return;
  }
  await upsert(table.insert(op.row), op);
}

function upsert(insert: Knex.QueryBuilder, op: Upsert) {
  const onConflict = insert.onConflict([...op.conflict]);
  if (op.onConflict === "keep") return onConflict.ignore();
  return op.version === undefined ? onConflict.merge() : onConflict.merge().whereRaw(notNewer(op.table));
}

async function upsertMany(trx: Knex.Transaction, schema: string, ops: readonly Upsert[]): Promise<void> {
  const first = ops[0] as Upsert;
  await upsert(
    trx
      .withSchema(schema)
      .table(first.table)
      .insert(ops.map((op) => op.row)),
    first,
  );
}

/**
 * Runs a batch's row operations with as few round trips as it can and the same result as running them one by
 * one: each table's operations keep their order (a table's rows depend only on its own operations, and the
 * tables go in foreign-key order), and consecutive upserts of one shape become one multi-row INSERT, split
 * where a key repeats (one INSERT … ON CONFLICT cannot touch a row twice).
 */
export async function executeBatched(trx: Knex.Transaction, schema: string, ops: readonly RowOp[]) {
  for (const table of TABLE_ORDER) {
    let run: Upsert[] = [];
    let keys = new Set<string>();
    const flush = async () => {
      if (run.length === 1) await executeOne(trx, schema, run[0] as Upsert);
      else if (run.length > 1) await upsertMany(trx, schema, run);
      run = [];
      keys = new Set();
    };
    for (const op of ops) {
      if (op.table !== table) continue;
      if (op.kind !== "upsert") {
        await flush();
        await executeOne(trx, schema, op);
        continue;
      }
      const key = conflictKey(op);
      const head = run[0];
      if (head && (shape(head) !== shape(op) || keys.has(key) || run.length >= MAX_ROWS)) await flush();
      run.push(op);
      keys.add(key);
    }
    await flush();
  }
}
