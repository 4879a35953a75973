import type { Knex } from "knex";
import { REBUILD_CHECKPOINT, SHADOW_SCHEMA } from "../src/ops/rebuildNames";
import { dropRowVersions, rowVersionsDdl } from "../src/projections/schema";

/** Each read row keeps the position of the event that last wrote it: retried old events cannot overwrite it. */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(rowVersionsDdl('"public"'));
  // An interrupted rebuild's shadow tables lack the column: it starts over instead of resuming.
  await knex.raw(`DROP SCHEMA IF EXISTS "${SHADOW_SCHEMA}" CASCADE`);
  await knex.table("projection_checkpoints").where({ name: REBUILD_CHECKPOINT }).delete();
}

export async function down(knex: Knex): Promise<void> {
  await dropRowVersions(knex, "public");
}
