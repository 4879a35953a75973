import type { Knex } from "knex";
import { addConversationTables } from "./conversationSchema";
import { addWorkspaceTables } from "./workspaceSchema";

/** Which browser started a session anonymously: a linked browser alone reads only these sessions. */
function sessionOriginDdl(s: string): string {
  return `
    ALTER TABLE ${s}.chat_sessions ADD COLUMN IF NOT EXISTS anonymous_browser_uuid uuid NULL;
    CREATE INDEX IF NOT EXISTS idx_chat_sessions_browser_history
      ON ${s}.chat_sessions (anonymous_browser_uuid, created_at DESC, id DESC);`;
}

/**
 * The read tables, created in a given schema: "public" for the live tables, another one for a rebuild.
 * Columns, CHECK, UNIQUE and indexes follow the seed; timestamps are timestamptz (UTC instants, since the
 * portal serves three time zones). `stream_revisions` records, per stream, the last event applied.
 */
export async function createReadModelTables(knex: Knex, schema: string): Promise<void> {
  await createSeedReadModelTables(knex, schema);
  await addConversationTables(knex, schema);
  await addWorkspaceTables(knex, schema);
}

/** The seed's tables (as migration 002 created them, with what 007 and 008 added). */
async function createSeedReadModelTables(knex: Knex, schema: string): Promise<void> {
  const s = `"${schema}"`;
  await knex.raw(`
    CREATE SCHEMA IF NOT EXISTS ${s};
    CREATE TABLE ${s}.chat_users (
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
    CREATE INDEX idx_chat_users_browser_uuid ON ${s}.chat_users (browser_uuid);
    CREATE INDEX idx_chat_users_oss_user_id ON ${s}.chat_users (oss_user_id);
    CREATE INDEX idx_chat_users_email ON ${s}.chat_users (email);

    CREATE TABLE ${s}.chat_sessions (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      chat_user_id uuid REFERENCES ${s}.chat_users (id),
      topic varchar(500) NOT NULL,
      priority varchar(10) NOT NULL DEFAULT 'normal' CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
      status varchar(20) NOT NULL DEFAULT 'waiting',
      channel varchar(50) NOT NULL DEFAULT 'web',
      created_at timestamptz DEFAULT CURRENT_TIMESTAMP,
      updated_at timestamptz DEFAULT CURRENT_TIMESTAMP,
      deleted_at timestamptz NULL
    );
    ${sessionOriginDdl(s)}
    CREATE INDEX idx_chat_sessions_chat_user_id ON ${s}.chat_sessions (chat_user_id);
    CREATE INDEX idx_chat_sessions_history ON ${s}.chat_sessions (chat_user_id, created_at DESC, id DESC);

    CREATE TABLE ${s}.chat_session_contacts (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      session_id uuid NOT NULL REFERENCES ${s}.chat_sessions (id),
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

    ${rowVersionsDdl(s)}

    CREATE TABLE ${s}.stream_revisions (
      stream_id text PRIMARY KEY,
      revision bigint NOT NULL,
      position bigint NOT NULL
    );
  `);
}

/**
 * Each read row's version: the log position of the event that last wrote it (see rowVersion), so a retried
 * old event cannot overwrite a row a later event wrote. Null: written before versions existed, or a placeholder.
 */
function rowVersionsDdl(s: string): string {
  return `
    ALTER TABLE ${s}.chat_users ADD COLUMN IF NOT EXISTS applied_position numeric(40) NULL;
    ALTER TABLE ${s}.chat_sessions ADD COLUMN IF NOT EXISTS applied_position numeric(40) NULL;
    ALTER TABLE ${s}.chat_session_contacts ADD COLUMN IF NOT EXISTS applied_position numeric(40) NULL;`;
}
