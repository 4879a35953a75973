import type { Knex } from "knex";
import type { Statement } from "../db/sqlScript";
import { eraseRowsStatement } from "./erasure";
import { type ReadTable, ROW_VERSION, type RowOp } from "./rowOps";

/** Tables in the order their rows depend on each other: users before sessions before contacts and messages. */
const TABLE_ORDER: readonly ReadTable[] = [
  "chat_users",
  "chat_sessions",
  "chat_session_contacts",
  "chat_messages",
  "chat_agents",
  "chat_notes",
  "canned_responses",
  "search_documents",
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

/** The statement of one row operation (null: nothing to do), built on `db`. */
export function opStatement(db: Knex | Knex.Transaction, schema: string, op: RowOp): Statement | null {
  if (op.kind === "erase") return eraseRowsStatement(db, schema, op.table, op.chatUserIds);
  const table = db.withSchema(schema).table(op.table);
  if (op.kind === "update") {
    const { version } = op;
    const where = table.where(op.where);
    if (version !== undefined)
      where.where((q) => q.whereNull(ROW_VERSION).orWhere(ROW_VERSION, "<=", version));
    return where.update(op.set);
  }
  return upsert(table.insert(op.row), op);
}

export async function executeOne(trx: Knex.Transaction, schema: string, op: RowOp): Promise<void> {
  const statement = opStatement(trx, schema, op);
  if (statement) await statement;
}

function upsert(insert: Knex.QueryBuilder, op: Upsert) {
  const onConflict = insert.onConflict([...op.conflict]);
  if (op.onConflict === "keep") return onConflict.ignore();
  return op.version === undefined ? onConflict.merge() : onConflict.merge().whereRaw(notNewer(op.table));
}

function upsertMany(db: Knex | Knex.Transaction, schema: string, ops: readonly Upsert[]): Statement {
  const first = ops[0] as Upsert;
  return upsert(
    db
      .withSchema(schema)
      .table(first.table)
      .insert(ops.map((op) => op.row)),
    first,
  );
}

/**
 * A batch's row operations as few statements as give the same result as running them one by one: each
 * table's operations keep their order (a table's rows depend only on its own operations, and the tables go in
 * foreign-key order), and consecutive upserts of one shape become one multi-row INSERT, split where a key
 * repeats (one INSERT … ON CONFLICT cannot touch a row twice). The statements are to run in the order given.
 */
export function batchedStatements(
  db: Knex | Knex.Transaction,
  schema: string,
  ops: readonly RowOp[],
): Statement[] {
  const statements: Statement[] = [];
  const add = (statement: Statement | null) => {
    if (statement) statements.push(statement);
  };
  for (const table of TABLE_ORDER) {
    let run: Upsert[] = [];
    let keys = new Set<string>();
    const flush = () => {
      if (run.length === 1) add(opStatement(db, schema, run[0] as Upsert));
      else if (run.length > 1) add(upsertMany(db, schema, run));
      run = [];
      keys = new Set();
    };
    for (const op of ops) {
      if (op.table !== table) continue;
      if (op.kind !== "upsert") {
        flush();
        add(opStatement(db, schema, op));
        continue;
      }
      const key = conflictKey(op);
      const head = run[0];
      if (head && (shape(head) !== shape(op) || keys.has(key) || run.length >= MAX_ROWS)) flush();
      run.push(op);
      keys.add(key);
    }
    flush();
  }
  return statements;
}
