import type { Knex } from "knex";

/**
 * Reports: one fact row per chat session (its report facts and the figures derived from them), kept by the
 * reports projector under its own checkpoint (`reports`). `last_revision` is the session stream's last event
 * folded in, so an event read twice is folded once. No personal data: ids, channel, priority, times, counts.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE report_session_facts (
      session_id uuid PRIMARY KEY,
      channel varchar(50) NOT NULL,
      priority varchar(10) NOT NULL,
      started_at timestamptz NOT NULL,
      agent_id uuid NULL,
      first_assigned_at timestamptz NULL,
      closed_at timestamptz NULL,
      first_visitor_message_at timestamptz NULL,
      first_response_at timestamptz NULL,
      messages_visitor integer NOT NULL DEFAULT 0,
      messages_agent integer NOT NULL DEFAULT 0,
      transfers integer NOT NULL DEFAULT 0,
      csat smallint NULL CHECK (csat BETWEEN 1 AND 5),
      wait_ms bigint NULL,
      first_response_ms bigint NULL,
      handle_ms bigint NULL,
      abandoned boolean NOT NULL DEFAULT false,
      no_response boolean NOT NULL DEFAULT false,
      last_revision bigint NOT NULL
    );
    CREATE INDEX idx_report_session_facts_started ON report_session_facts (started_at);
    CREATE INDEX idx_report_session_facts_agent_started ON report_session_facts (agent_id, started_at);
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    DROP TABLE IF EXISTS report_session_facts;
  `);
}
