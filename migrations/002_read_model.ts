import type { Knex } from "knex";
import { createSeedReadModelTables, dropReadModelTables } from "../src/projections/schema";

/** The read tables of the seed, plus what the projector needs to apply each event exactly once. */
export async function up(knex: Knex): Promise<void> {
  await createSeedReadModelTables(knex, "public");
  await knex.raw(`
    CREATE TABLE projection_checkpoints (
      name text PRIMARY KEY,
      commit_position numeric(20) NOT NULL,
      prepare_position numeric(20) NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now()
    );
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw("DROP TABLE IF EXISTS projection_checkpoints");
  await dropReadModelTables(knex, "public");
}
