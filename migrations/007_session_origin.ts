import type { Knex } from "knex";

/**
 * chat_sessions.anonymous_browser_uuid: the browser that started a session anonymously. Existing rows are
 * filled from the Postgres event log (the actor of each session's start); with EventStoreDB as the store,
 * `livechat projections rebuild` fills them.
 */
export async function up(knex: Knex): Promise<void> {
  // Frozen: inline DDL (what src/projections/schema.ts sessionOriginDdl ran for "public").
  await knex.raw(`
    ALTER TABLE "public".chat_sessions ADD COLUMN IF NOT EXISTS anonymous_browser_uuid uuid NULL;
    CREATE INDEX IF NOT EXISTS idx_chat_sessions_browser_history
      ON "public".chat_sessions (anonymous_browser_uuid, created_at DESC, id DESC);
  `);
  await knex.raw(`
    UPDATE chat_sessions s
       SET anonymous_browser_uuid = lower(e.metadata->'actor'->>'id')::uuid
      FROM events e
     WHERE e.event_type = 'ChatSessionStarted'
       AND (e.data->>'session_id')::uuid = s.id
       AND e.metadata->'actor'->>'kind' = 'anonymous'
       AND s.anonymous_browser_uuid IS NULL`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    DROP INDEX IF EXISTS idx_chat_sessions_browser_history;
    ALTER TABLE chat_sessions DROP COLUMN IF EXISTS anonymous_browser_uuid;`);
}
