import type { Knex } from "knex";
import { ERASED } from "../events/recorded";
import type { ReadTable } from "./rowOps";

type MemoryRows = Record<ReadTable, Record<string, unknown>[]>;

interface PersonalColumns {
  /** Columns that hold a person's data: blanked to "[erased]" (a null stays null: there was nothing). */
  readonly columns: readonly string[];
  /** SQL condition choosing the rows of the chat users bound to `?` (a uuid[]), in schema `s`. */
  readonly rowsSql: (s: string) => string;
  /** The same choice over in-memory tables (point-in-time views). */
  readonly rowsInMemory: (tables: MemoryRows, ids: ReadonlySet<string>) => Record<string, unknown>[];
}

const sessionIdsOf = (tables: MemoryRows, ids: ReadonlySet<string>) =>
  new Set(tables.chat_sessions.filter((s) => ids.has(String(s.chat_user_id))).map((s) => String(s.id)));

/** Every read table's personal columns, in one place: erasure blanks exactly these. */
export const personalColumns: Record<ReadTable, PersonalColumns> = {
  chat_users: {
    columns: ["email", "ip_address", "user_agent"],
    rowsSql: () => "id = ANY(?::uuid[])",
    rowsInMemory: (t, ids) => t.chat_users.filter((u) => ids.has(String(u.id))),
  },
  // The visitor's rating comment (the topic is kept: see the README's limits).
  chat_sessions: {
    columns: ["rating_comment"],
    rowsSql: () => "chat_user_id = ANY(?::uuid[])",
    rowsInMemory: (t, ids) => t.chat_sessions.filter((s) => ids.has(String(s.chat_user_id))),
  },
  chat_session_contacts: {
    columns: ["contact_name", "contact_email", "contact_phone", "position", "company_name"],
    rowsSql: (s) => `session_id IN (SELECT id FROM ${s}.chat_sessions WHERE chat_user_id = ANY(?::uuid[]))`,
    rowsInMemory: (t, ids) => {
      const sessions = sessionIdsOf(t, ids);
      return t.chat_session_contacts.filter((c) => sessions.has(String(c.session_id)));
    },
  },
  // Every message of the subject's sessions: the agents' replies are about the visitor too.
  chat_messages: {
    columns: ["body", "author_name"],
    rowsSql: (s) => `session_id IN (SELECT id FROM ${s}.chat_sessions WHERE chat_user_id = ANY(?::uuid[]))`,
    rowsInMemory: (t, ids) => {
      const sessions = sessionIdsOf(t, ids);
      return t.chat_messages.filter((m) => sessions.has(String(m.session_id)));
    },
  },
  chat_agents: { columns: [], rowsSql: () => "false", rowsInMemory: () => [] },
  // Agents' notes about the person.
  chat_notes: {
    columns: ["body"],
    rowsSql: (s) => `session_id IN (SELECT id FROM ${s}.chat_sessions WHERE chat_user_id = ANY(?::uuid[]))`,
    rowsInMemory: (t, ids) => {
      const sessions = sessionIdsOf(t, ids);
      return t.chat_notes.filter((m) => sessions.has(String(m.session_id)));
    },
  },
  canned_responses: { columns: [], rowsSql: () => "false", rowsInMemory: () => [] },
  // Every text of the person's sessions in the search index: its tsvector and word counts follow the body.
  search_documents: {
    columns: ["body"],
    rowsSql: (s) => `session_id IN (SELECT id FROM ${s}.chat_sessions WHERE chat_user_id = ANY(?::uuid[]))`,
    rowsInMemory: (t, ids) => {
      const sessions = sessionIdsOf(t, ids);
      return t.search_documents.filter((m) => sessions.has(String(m.session_id)));
    },
  },
};

/** Blanks the personal columns of the chat users' rows of one table. */
export async function eraseRows(
  trx: Knex | Knex.Transaction,
  schema: string,
  table: ReadTable,
  chatUserIds: readonly string[],
): Promise<number> {
  const statement = eraseRowsStatement(trx, schema, table, chatUserIds);
  if (!statement) return 0;
  const result = await statement;
  return result.rowCount ?? 0;
}

/** The UPDATE that eraseRows runs, not yet run; null when there is nothing to blank. */
export function eraseRowsStatement(
  trx: Knex | Knex.Transaction,
  schema: string,
  table: ReadTable,
  chatUserIds: readonly string[],
): Knex.Raw | null {
  const spec = personalColumns[table];
  if (spec.columns.length === 0 || chatUserIds.length === 0) return null;
  const s = `"${schema}"`;
  const set = spec.columns
    .map((c) => `${c} = CASE WHEN ${c} IS NULL THEN NULL ELSE '${ERASED}' END`)
    .join(", ");
  return trx.raw(`UPDATE ${s}.${table} SET ${set} WHERE ${spec.rowsSql(s)}`, [[...chatUserIds]]);
}

/** The rows of one in-memory table to blank, and the values that blank each. */
export function erasuresInMemory(
  tables: MemoryRows,
  table: ReadTable,
  chatUserIds: readonly string[],
): { row: Record<string, unknown>; set: Record<string, unknown> }[] {
  const spec = personalColumns[table];
  return spec.rowsInMemory(tables, new Set(chatUserIds)).map((row) => ({
    row,
    set: Object.fromEntries(
      spec.columns.filter((c) => row[c] !== null && row[c] !== undefined).map((c) => [c, ERASED]),
    ),
  }));
}

export function eraseRowsInMemory(
  tables: MemoryRows,
  table: ReadTable,
  chatUserIds: readonly string[],
): void {
  for (const { row, set } of erasuresInMemory(tables, table, chatUserIds)) Object.assign(row, set);
}
