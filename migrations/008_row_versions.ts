import type { Knex } from "knex";

// Frozen: inline DDL and names (as src/projections/schema.ts and src/ops/rebuildNames.ts had them).
const SHADOW_SCHEMA = "rebuild_read_model";
const REBUILD_CHECKPOINT = "rebuild:read_model";

/** Each read row keeps the position of the event that last wrote it: retried old events cannot overwrite it. */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE "public".chat_users ADD COLUMN IF NOT EXISTS applied_position numeric(40) NULL;
    ALTER TABLE "public".chat_sessions ADD COLUMN IF NOT EXISTS applied_position numeric(40) NULL;
    ALTER TABLE "public".chat_session_contacts ADD COLUMN IF NOT EXISTS applied_position numeric(40) NULL;
  `);
  // An interrupted rebuild's shadow tables lack the column: it starts over instead of resuming.
  await knex.raw(`DROP SCHEMA IF EXISTS "${SHADOW_SCHEMA}" CASCADE`);
  await knex.table("projection_checkpoints").where({ name: REBUILD_CHECKPOINT }).delete();
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE "public".chat_users DROP COLUMN IF EXISTS applied_position;
    ALTER TABLE "public".chat_sessions DROP COLUMN IF EXISTS applied_position;
    ALTER TABLE "public".chat_session_contacts DROP COLUMN IF EXISTS applied_position;
  `);
}
