import type { Knex } from "knex";

// Frozen: the DDL is inline (it was shared with src/projections/schema.ts; this is what that code ran for
// "public" when this file was frozen). Later changes to the read tables are new migrations.

/** The read tables of the seed, plus what the projector needs to apply each event exactly once. */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE SCHEMA IF NOT EXISTS "public";
    CREATE TABLE "public".chat_users (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      browser_uuid uuid UNIQUE,
      oss_user_id varchar(255),
      email varchar(255),
      is_anonymous boolean DEFAULT true,
      ip_address varchar(45) NOT NULL,
      user_agent text,
      merged_into_chat_user_id uuid,
      created_at timestamptz DEFAULT CURRENT_TIMESTAMP,
      updated_at timestamptz DEFAULT CURRENT_TIMESTAMP,
      deleted_at timestamptz NULL,
      CHECK (
        (is_anonymous = true AND browser_uuid IS NOT NULL) OR
        (is_anonymous = false AND oss_user_id IS NOT NULL AND email IS NOT NULL)
      )
    );
    CREATE INDEX idx_chat_users_browser_uuid ON "public".chat_users (browser_uuid);
    CREATE INDEX idx_chat_users_oss_user_id ON "public".chat_users (oss_user_id);
    CREATE INDEX idx_chat_users_email ON "public".chat_users (email);

    CREATE TABLE "public".chat_sessions (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      chat_user_id uuid REFERENCES "public".chat_users (id),
      topic varchar(500) NOT NULL,
      priority varchar(10) NOT NULL DEFAULT 'normal' CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
      status varchar(20) NOT NULL DEFAULT 'waiting',
      channel varchar(50) NOT NULL DEFAULT 'web',
      created_at timestamptz DEFAULT CURRENT_TIMESTAMP,
      updated_at timestamptz DEFAULT CURRENT_TIMESTAMP,
      deleted_at timestamptz NULL
    );

    ALTER TABLE "public".chat_sessions ADD COLUMN IF NOT EXISTS anonymous_browser_uuid uuid NULL;
    CREATE INDEX IF NOT EXISTS idx_chat_sessions_browser_history
      ON "public".chat_sessions (anonymous_browser_uuid, created_at DESC, id DESC);
    CREATE INDEX idx_chat_sessions_chat_user_id ON "public".chat_sessions (chat_user_id);
    CREATE INDEX idx_chat_sessions_history ON "public".chat_sessions (chat_user_id, created_at DESC, id DESC);

    CREATE TABLE "public".chat_session_contacts (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      session_id uuid NOT NULL REFERENCES "public".chat_sessions (id),
      contact_name varchar(255) NOT NULL,
      contact_email varchar(255) NOT NULL,
      contact_phone varchar(50),
      position varchar(255),
      company_name varchar(255),
      created_at timestamptz DEFAULT CURRENT_TIMESTAMP,
      updated_at timestamptz DEFAULT CURRENT_TIMESTAMP,
      deleted_at timestamptz NULL,
      UNIQUE (session_id)
    );


    ALTER TABLE "public".chat_users ADD COLUMN IF NOT EXISTS applied_position numeric(40) NULL;
    ALTER TABLE "public".chat_sessions ADD COLUMN IF NOT EXISTS applied_position numeric(40) NULL;
    ALTER TABLE "public".chat_session_contacts ADD COLUMN IF NOT EXISTS applied_position numeric(40) NULL;

    CREATE TABLE "public".stream_revisions (
      stream_id text PRIMARY KEY,
      revision bigint NOT NULL,
      position bigint NOT NULL
    );
  `);
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
  await knex.raw(`
    DROP TABLE IF EXISTS "public".stream_revisions;
    DROP TABLE IF EXISTS "public".chat_agents;
    DROP TABLE IF EXISTS "public".chat_messages;
    DROP TABLE IF EXISTS "public".chat_session_contacts;
    DROP TABLE IF EXISTS "public".chat_sessions;
    DROP TABLE IF EXISTS "public".chat_users;
  `);
}
