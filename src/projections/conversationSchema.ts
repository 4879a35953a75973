import type { Knex } from "knex";

/**
 * The conversation read tables and columns, added to a schema that already holds the seed's tables: the live
 * one by its migration, a rebuild's shadow schema by createReadModelTables. Every row keeps the log position of
 * the event that last wrote it (`applied_position`, see rowVersion in rowOps.ts). Messages are text, never HTML.
 */
export async function addConversationTables(knex: Knex, schema: string): Promise<void> {
  const s = `"${schema}"`;
  await knex.raw(`
    ALTER TABLE ${s}.chat_sessions
      ADD COLUMN assigned_agent_id uuid NULL,
      ADD COLUMN assigned_agent_name varchar(255) NULL,
      ADD COLUMN assigned_at timestamptz NULL,
      ADD COLUMN last_seq integer NOT NULL DEFAULT 0,
      ADD COLUMN last_message_at timestamptz NULL,
      ADD COLUMN visitor_read_seq integer NOT NULL DEFAULT 0,
      ADD COLUMN agent_read_seq integer NOT NULL DEFAULT 0,
      ADD COLUMN closed_at timestamptz NULL,
      ADD COLUMN closed_by_kind varchar(10) NULL,
      ADD COLUMN rating_score smallint NULL CHECK (rating_score BETWEEN 1 AND 5),
      ADD COLUMN rating_comment text NULL,
      ADD COLUMN rated_at timestamptz NULL;
    -- The agents' queue: waiting sessions by priority, then oldest first.
    CREATE INDEX idx_chat_sessions_queue ON ${s}.chat_sessions (created_at, id)
      WHERE status = 'waiting' AND assigned_agent_id IS NULL AND deleted_at IS NULL;
    -- An agent's chats, and the active count auto-routing compares with MAX_CHATS_PER_AGENT.
    CREATE INDEX idx_chat_sessions_agent ON ${s}.chat_sessions (assigned_agent_id, status);

    CREATE TABLE ${s}.chat_messages (
      id uuid PRIMARY KEY,
      session_id uuid NOT NULL REFERENCES ${s}.chat_sessions (id),
      seq integer NOT NULL CHECK (seq >= 1),
      client_message_id uuid NULL,
      author_kind varchar(10) NOT NULL CHECK (author_kind IN ('visitor', 'agent', 'system')),
      author_id varchar(255) NOT NULL,
      author_name varchar(255) NULL,
      body text NOT NULL,
      created_at timestamptz NOT NULL,
      applied_position numeric(40) NULL,
      UNIQUE (session_id, seq),
      UNIQUE (session_id, client_message_id)
    );

    CREATE TABLE ${s}.chat_agents (
      id uuid PRIMARY KEY,
      name varchar(255) NOT NULL,
      status varchar(10) NOT NULL CHECK (status IN ('available', 'away')),
      updated_at timestamptz NOT NULL,
      applied_position numeric(40) NULL
    );
  `);
}
