import type { Knex } from "knex";

// Frozen: the DDL is inline (what src/projections/conversationSchema.ts ran for "public" when this file was frozen).

/** Conversations: messages, agents, assignment, closing, rating and read receipts in the read model. */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE "public".chat_sessions
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
    CREATE INDEX idx_chat_sessions_queue ON "public".chat_sessions (created_at, id)
      WHERE status = 'waiting' AND assigned_agent_id IS NULL AND deleted_at IS NULL;
    -- An agent's chats, and the active count auto-routing compares with MAX_CHATS_PER_AGENT.
    CREATE INDEX idx_chat_sessions_agent ON "public".chat_sessions (assigned_agent_id, status);

    CREATE TABLE "public".chat_messages (
      id uuid PRIMARY KEY,
      session_id uuid NOT NULL REFERENCES "public".chat_sessions (id),
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

    CREATE TABLE "public".chat_agents (
      id uuid PRIMARY KEY,
      name varchar(255) NOT NULL,
      status varchar(10) NOT NULL CHECK (status IN ('available', 'away')),
      updated_at timestamptz NOT NULL,
      applied_position numeric(40) NULL
    );
  `);
}

export async function down(knex: Knex): Promise<void> {
  // A rebuild's shadow schema has these tables too; it is rebuilt from the log on the next run.
  await knex.raw("DROP SCHEMA IF EXISTS rebuild_read_model CASCADE");
  await knex.raw(`
    DROP TABLE IF EXISTS "public".chat_agents;
    DROP TABLE IF EXISTS "public".chat_messages;
    DROP INDEX IF EXISTS "public".idx_chat_sessions_queue;
    DROP INDEX IF EXISTS "public".idx_chat_sessions_agent;
    ALTER TABLE "public".chat_sessions
      DROP COLUMN IF EXISTS assigned_agent_id,
      DROP COLUMN IF EXISTS assigned_agent_name,
      DROP COLUMN IF EXISTS assigned_at,
      DROP COLUMN IF EXISTS last_seq,
      DROP COLUMN IF EXISTS last_message_at,
      DROP COLUMN IF EXISTS visitor_read_seq,
      DROP COLUMN IF EXISTS agent_read_seq,
      DROP COLUMN IF EXISTS closed_at,
      DROP COLUMN IF EXISTS closed_by_kind,
      DROP COLUMN IF EXISTS rating_score,
      DROP COLUMN IF EXISTS rating_comment,
      DROP COLUMN IF EXISTS rated_at;
  `);
}
