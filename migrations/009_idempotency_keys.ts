import type { Knex } from "knex";

/**
 * Idempotency-Key records: per caller and key, what the request was (method, path, body hash) and, once it
 * has run, the answer to send again (status and body). Expired by the API after IDEMPOTENCY_TTL_S.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE idempotency_keys (
      caller text NOT NULL,
      key uuid NOT NULL,
      method varchar(10) NOT NULL,
      path text NOT NULL,
      request_hash char(64) NOT NULL,
      status smallint NULL,
      response_body jsonb NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      completed_at timestamptz NULL,
      PRIMARY KEY (caller, key)
    );
    CREATE INDEX idempotency_keys_created_at ON idempotency_keys (created_at);
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw("DROP TABLE IF EXISTS idempotency_keys");
}
