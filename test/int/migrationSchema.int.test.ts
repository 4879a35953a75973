import fs from "node:fs";
import path from "node:path";
import type { Knex } from "knex";
import { migrationSource } from "../../migrations/index";
import { createKnex, migrateDownAll, migrateLatest } from "../../src/db/database";
import { createTestDatabase, type TestDatabase } from "../support/testDatabase";

// Migrations are frozen: all of them, run on an empty database, give the schema recorded in the snapshot
// (taken from the migrations as they were when their DDL was written inline). A migration that changes what
// it creates fails here. A new migration updates the snapshot: UPDATE_SCHEMA_SNAPSHOT=1 and review the diff.
const SNAPSHOT = path.join(__dirname, "../fixtures/schemaSnapshot.json");

/** Tables, columns, indexes, constraints, functions, triggers and sequences of the public and shadow schemas. */
async function schemaOf(knex: Knex): Promise<Record<string, string[]>> {
  const rows = async (sql: string) =>
    ((await knex.raw(sql)) as { rows: Record<string, unknown>[] }).rows.map((r) =>
      Object.values(r).join(" | "),
    );
  const schemas = "n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')";
  return {
    columns: await rows(`
      SELECT table_schema, table_name, column_name, data_type, udt_name, is_nullable,
             coalesce(column_default, ''), coalesce(character_maximum_length::text, '')
        FROM information_schema.columns
       WHERE table_schema NOT IN ('pg_catalog', 'information_schema')
       ORDER BY 1, 2, 3`),
    indexes: await rows(`
      SELECT schemaname, tablename, indexname, indexdef FROM pg_indexes
       WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2, 3`),
    constraints: await rows(`
      SELECT n.nspname, c.relname, k.conname, k.contype, pg_get_constraintdef(k.oid)
        FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE ${schemas} ORDER BY 1, 2, 3`),
    functions: await rows(`
      SELECT n.nspname, p.proname, pg_get_function_identity_arguments(p.oid), md5(pg_get_functiondef(p.oid))
        FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
       WHERE ${schemas} ORDER BY 1, 2, 3`),
    triggers: await rows(`
      SELECT n.nspname, c.relname, t.tgname, pg_get_triggerdef(t.oid)
        FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE NOT t.tgisinternal AND ${schemas} ORDER BY 1, 2, 3`),
    sequences: await rows(`
      SELECT sequence_schema, sequence_name, data_type FROM information_schema.sequences ORDER BY 1, 2`),
    rows: await rows(`SELECT 'knex_migrations', count(*)::text FROM knex_migrations`),
  };
}

let db: TestDatabase;
let knex: Knex;

beforeAll(async () => {
  db = await createTestDatabase("lc_schema");
  knex = createKnex(db.url, 2);
});
afterAll(async () => {
  await knex.destroy();
  await db.drop();
});

test("all migrations on an empty database give the recorded schema, and roll back to nothing", async () => {
  await migrateLatest(knex, migrationSource);
  const schema = await schemaOf(knex);
  if (process.env.UPDATE_SCHEMA_SNAPSHOT === "1")
    fs.writeFileSync(SNAPSHOT, `${JSON.stringify(schema, null, 2)}\n`);
  const recorded = JSON.parse(fs.readFileSync(SNAPSHOT, "utf8")) as Record<string, string[]>;
  for (const part of Object.keys(recorded))
    expect({ [part]: schema[part] }).toEqual({ [part]: recorded[part] });
  expect(Object.keys(schema)).toEqual(Object.keys(recorded));

  await migrateDownAll(knex, migrationSource);
  const left = await schemaOf(knex);
  expect((left.columns ?? []).filter((c) => !c.includes("knex_migrations"))).toEqual([]);
  expect(left.functions).toEqual([]);
});
