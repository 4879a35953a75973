import type { Knex } from "knex";
import { logStart } from "../../src/eventstore/eventStore";
import { applyEvents } from "../../src/projections/applyEvents";
import { createReadModelTables } from "../../src/projections/schema";
import type { Database } from "../../src/service";
import { readToEnd } from "../int/eventStoreContract";

const TABLES = [
  "chat_users",
  "chat_sessions",
  "chat_session_contacts",
  "chat_messages",
  "chat_agents",
] as const;

/**
 * The read tables as plain rows ordered by id, to compare two builds of them. Without each row's version
 * (`applied_position`): bookkeeping, like `stream_revisions`, not what the tables show.
 */
export async function snapshotTables(knex: Knex, schema = "public") {
  const out: Record<string, unknown[]> = {};
  for (const t of TABLES) {
    const rows: Record<string, unknown>[] = await knex.withSchema(schema).table(t).select("*").orderBy("id");
    out[t] = rows.map(({ applied_position: _version, ...row }) => row);
  }
  return out;
}

/** Replays the whole log into fresh tables in a new schema and returns them. */
export async function freshReplay(db: Pick<Database, "knex" | "store">, schema: string) {
  await createReadModelTables(db.knex, schema);
  const events = await readToEnd(db.store, logStart);
  for (let i = 0; i < events.length; i += 200) {
    await applyEvents(db.knex, events.slice(i, i + 200), { schema, projector: `replay-${schema}` });
  }
  return snapshotTables(db.knex, schema);
}

export async function waitFor(check: () => Promise<boolean>, timeoutMs = 30000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 20));
  }
}
