import type { Knex } from "knex";
import pg from "pg";

/** A statement built with knex but not yet run. */
export type Statement = Knex.QueryBuilder | Knex.Raw;

/** pg's own conversion of a parameter to its text form (what it would send for `$n`): not in its typings. */
const prepareValue = (pg as unknown as { utils: { prepareValue(value: unknown): string | Buffer | null } })
  .utils.prepareValue;

/**
 * A value as an SQL literal: exactly the text pg would send as the parameter, quoted. Like a parameter without
 * a declared type, an untyped literal takes its type from where it stands (the column it is inserted into or
 * compared with), so the statement means the same with the value inlined.
 */
export function sqlLiteral(value: unknown): string {
  const prepared = prepareValue(value);
  if (prepared === null) return "NULL";
  // bytea's hex input format; escapeLiteral doubles the backslash and marks the literal E'…'.
  if (Buffer.isBuffer(prepared)) return pg.escapeLiteral(`\\x${prepared.toString("hex")}`);
  return pg.escapeLiteral(prepared);
}

/** One statement as SQL text, its values inlined as literals. */
export function inlineStatement(statement: Statement): string {
  const { sql, bindings } = statement.toSQL().toNative();
  // One pass over the statement's own text: a placeholder-like "$2" inside an inlined value is left alone.
  return sql.replace(/\$(\d+)/g, (_, n: string) => {
    const index = Number(n) - 1;
    if (index >= bindings.length) throw new Error(`no value for $${n} in: ${sql}`);
    return sqlLiteral(bindings[index]);
  });
}

/**
 * Runs statements atomically, all or none, in as few round trips as it can. On a pool (`db` not a
 * transaction): one simple-protocol Query message holding every statement, which Postgres runs as one implicit
 * transaction, so a failing statement skips the rest and rolls back the ones before it. Inside a transaction:
 * one statement at a time in a savepoint. `build` makes the statements on the handle they run on.
 *
 * The script goes to a pooled connection directly, not through knex.raw: knex would read every "?" in it
 * (inside the inlined strings too) as a placeholder.
 */
export async function runAtomically(
  db: Knex,
  build: (on: Knex | Knex.Transaction) => readonly Statement[],
): Promise<void> {
  if (db.isTransaction) {
    await db.transaction(async (savepoint) => {
      for (const statement of build(savepoint)) await statement;
    });
    return;
  }
  const statements = build(db);
  if (statements.length === 0) return;
  const script = statements.map(inlineStatement).join(";\n");
  const connection: pg.Client = await db.client.acquireConnection();
  try {
    await connection.query(script);
  } finally {
    await db.client.releaseConnection(connection);
  }
}
