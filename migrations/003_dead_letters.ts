import type { Knex } from "knex";

/** Events a projector could not apply: kept with their error so ops can see and retry them. */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE projection_dead_letters (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      projector text NOT NULL,
      event_id uuid NOT NULL,
      stream_id text NOT NULL,
      stream_revision bigint NOT NULL,
      global_position bigint NOT NULL,
      event_type text NOT NULL,
      error text NOT NULL,
      failed_at timestamptz NOT NULL DEFAULT now(),
      retried_at timestamptz NULL,
      UNIQUE (projector, event_id)
    );
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw("DROP TABLE IF EXISTS projection_dead_letters");
}
