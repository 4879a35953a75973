import type { Knex } from "knex";

/** Staff API keys: only a SHA-256 of each key is kept; the key itself is shown once, when it is made. */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE staff_api_keys (
      id uuid PRIMARY KEY,
      name varchar(255) NOT NULL,
      role varchar(20) NOT NULL CHECK (role IN ('agent', 'auditor', 'ops')),
      key_hash char(64) NOT NULL UNIQUE,
      created_at timestamptz NOT NULL DEFAULT now(),
      last_used_at timestamptz NULL,
      revoked_at timestamptz NULL
    );
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw("DROP TABLE IF EXISTS staff_api_keys");
}
