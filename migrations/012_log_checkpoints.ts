import type { Knex } from "knex";

/**
 * Checkpoints of the log's head, kept outside the `events` table: where the log ended, and a hash over every
 * stream's head (stream id, revision, last hash). `log_checkpoint_heads` holds the heads of the latest
 * checkpoint, so verify can name a stream whose newest events went missing.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE log_checkpoints (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      taken_at timestamptz NOT NULL DEFAULT now(),
      log_position text NOT NULL,
      global_position bigint NOT NULL,
      streams integer NOT NULL,
      events bigint NOT NULL,
      heads_hash char(64) NOT NULL
    );
    CREATE TABLE log_checkpoint_heads (
      stream_id text PRIMARY KEY,
      revision bigint NOT NULL,
      hash char(64) NULL,
      checkpoint_id bigint NOT NULL REFERENCES log_checkpoints (id)
    );
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw("DROP TABLE IF EXISTS log_checkpoint_heads; DROP TABLE IF EXISTS log_checkpoints;");
}
