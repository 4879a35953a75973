import type { Knex } from "knex";
import type { ClientBase, QueryResultRow } from "pg";

/** The part of knex's client that lends out its pooled pg connections (a transaction's client lends its own). */
interface ConnectionLender {
  acquireConnection(): Promise<ClientBase>;
  releaseConnection(connection: ClientBase): Promise<unknown>;
}

/**
 * Runs one statement with positional parameters ($1, $2, …) on a connection of knex's pool, straight through
 * pg: no query builder, no runner. For the widget's reads, whose SQL never changes: knex built the same text
 * anew for every request, about 0.1 ms of CPU each (`bench/profile.ts history`).
 */
export async function queryRows<T extends QueryResultRow>(
  knex: Knex,
  text: string,
  values: readonly unknown[],
): Promise<T[]> {
  const lender = knex.client as unknown as ConnectionLender;
  const connection = await lender.acquireConnection();
  try {
    return (await connection.query<T>(text, values as unknown[])).rows;
  } finally {
    await lender.releaseConnection(connection);
  }
}
