import type { Knex } from "knex";

/** Every text the service stores about people: the events as stored and every read table, as one string. */
export async function everythingStored(knex: Knex): Promise<string> {
  const parts: string[] = [];
  const events = await knex.table("events").select(knex.raw("data::text AS d, metadata::text AS m"));
  for (const e of events) parts.push(e.d, e.m);
  const tables = await knex.raw(
    "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
  );
  for (const { table_name } of tables.rows as { table_name: string }[]) {
    if (table_name === "events" || table_name.startsWith("knex_")) continue;
    const rows = await knex.raw(`SELECT row_to_json(t)::text AS j FROM "${table_name}" t`);
    for (const r of rows.rows as { j: string }[]) parts.push(r.j);
  }
  return parts.join("\n");
}

/** The values of `sent` that appear in `text`. */
export const leaked = (text: string, sent: readonly string[]) => sent.filter((v) => text.includes(v));
