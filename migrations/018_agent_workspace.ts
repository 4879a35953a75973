import type { Knex } from "knex";
import { addWorkspaceTables } from "../src/workspace/workspaceSchema";

/**
 * The agent workspace: private notes, session labels, canned responses and the search index (pg_trgm). Rows of
 * events written before this migration reach the new tables with the next `livechat projections rebuild`.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('DROP SCHEMA IF EXISTS "rebuild_read_model" CASCADE');
  await addWorkspaceTables(knex, "public");
  await knex.raw(`
    ALTER TABLE staff_api_keys DROP CONSTRAINT IF EXISTS staff_api_keys_role_check;
    ALTER TABLE staff_api_keys ADD CONSTRAINT staff_api_keys_role_check
      CHECK (role IN ('agent', 'auditor', 'ops', 'privacy', 'supervisor'));
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    DROP SCHEMA IF EXISTS rebuild_read_model CASCADE;
    DROP TABLE IF EXISTS public.search_terms;
    DROP TABLE IF EXISTS public.search_documents;
    DROP TABLE IF EXISTS public.canned_responses;
    DROP TABLE IF EXISTS public.chat_notes;
    DROP INDEX IF EXISTS public.idx_chat_sessions_labels;
    ALTER TABLE public.chat_sessions DROP COLUMN IF EXISTS labels;
    DROP FUNCTION IF EXISTS public.search_terms_inserted();
    DROP FUNCTION IF EXISTS public.search_terms_updated();
    DROP FUNCTION IF EXISTS public.search_tsvector(text);
    DROP FUNCTION IF EXISTS public.search_words(text);
    DELETE FROM staff_api_keys WHERE role = 'supervisor';
    ALTER TABLE staff_api_keys DROP CONSTRAINT IF EXISTS staff_api_keys_role_check;
    ALTER TABLE staff_api_keys ADD CONSTRAINT staff_api_keys_role_check
      CHECK (role IN ('agent', 'auditor', 'ops', 'privacy'));
  `);
}
