import type { Knex } from "knex";

/**
 * Indexes the audit reads need: a chat user's events (by the owner every event's metadata names), the
 * users merged into one, and the log by time.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE INDEX events_owner ON events ((metadata->>'owner_id'), transaction_id, global_position);
    CREATE INDEX events_merged_into ON events ((data->>'into_chat_user_id'))
      WHERE event_type = 'ChatUserMergedInto';
    CREATE INDEX events_recorded_at ON events (recorded_at);
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    DROP INDEX IF EXISTS events_owner;
    DROP INDEX IF EXISTS events_merged_into;
    DROP INDEX IF EXISTS events_recorded_at;
    DROP SCHEMA IF EXISTS rebuild_read_model CASCADE;
  `);
}
