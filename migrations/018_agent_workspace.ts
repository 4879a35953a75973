import type { Knex } from "knex";

// Frozen: the DDL is inline (what src/workspace/workspaceSchema.ts ran for "public" when this file was frozen).

/**
 * The agent workspace: private notes, session labels, canned responses and the search index (pg_trgm). Rows of
 * events written before this migration reach the new tables with the next `livechat projections rebuild`.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('DROP SCHEMA IF EXISTS "rebuild_read_model" CASCADE');
  await knex.raw(functionsDdl);
  const s = '"public"';
  await knex.raw(`
    ALTER TABLE ${s}.chat_sessions ADD COLUMN labels text[] NOT NULL DEFAULT '{}';
    CREATE INDEX idx_chat_sessions_labels ON ${s}.chat_sessions USING gin (labels);

    CREATE TABLE ${s}.chat_notes (
      id uuid PRIMARY KEY,
      session_id uuid NOT NULL REFERENCES ${s}.chat_sessions (id),
      after_seq integer NOT NULL,
      author_id varchar(255) NOT NULL,
      author_name varchar(255) NOT NULL,
      body text NOT NULL,
      created_at timestamptz NOT NULL,
      applied_position numeric(40) NULL
    );
    CREATE INDEX idx_chat_notes_session ON ${s}.chat_notes (session_id, after_seq);

    CREATE TABLE ${s}.canned_responses (
      id uuid PRIMARY KEY,
      scope varchar(10) NOT NULL CHECK (scope IN ('personal', 'shared')),
      owner_agent_id varchar(255) NULL,
      shortcut varchar(32) NOT NULL,
      title varchar(200) NOT NULL,
      body text NOT NULL,
      team_id varchar(255) NULL,
      language varchar(2) NULL,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL,
      deleted_at timestamptz NULL,
      applied_position numeric(40) NULL
    );
    CREATE INDEX idx_canned_responses_owner ON ${s}.canned_responses (scope, owner_agent_id, shortcut);

    -- One row per searchable text of a session: a message, a note, the topic, a contact field, the labels.
    CREATE TABLE ${s}.search_documents (
      id text PRIMARY KEY,
      session_id uuid NOT NULL,
      field varchar(20) NOT NULL,
      seq integer NULL,
      body text NOT NULL,
      created_at timestamptz NOT NULL,
      applied_position numeric(40) NULL,
      tsv tsvector GENERATED ALWAYS AS (search_tsvector(body)) STORED
    );
    CREATE INDEX idx_search_documents_tsv ON ${s}.search_documents USING gin (tsv);
    CREATE INDEX idx_search_documents_trgm ON ${s}.search_documents USING gin (body gin_trgm_ops);
    CREATE INDEX idx_search_documents_session ON ${s}.search_documents (session_id);
    CREATE INDEX idx_search_documents_recent ON ${s}.search_documents (created_at DESC);

    -- The words of the index (letters only: numbers and addresses are found as substrings) with how many
    -- documents hold each: typo correction looks here, not in the rows.
    CREATE TABLE ${s}.search_terms (
      term text PRIMARY KEY,
      docs integer NOT NULL
    );
    CREATE INDEX idx_search_terms_trgm ON ${s}.search_terms USING gin (term gin_trgm_ops);

    CREATE TRIGGER search_terms_inserted AFTER INSERT ON ${s}.search_documents
      REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.search_terms_inserted();
    CREATE TRIGGER search_terms_updated AFTER UPDATE ON ${s}.search_documents
      REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
      FOR EACH STATEMENT EXECUTE FUNCTION public.search_terms_updated();
  `);
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
    DROP EXTENSION IF EXISTS pg_trgm;
  `);
}

const functionsDdl = `
  CREATE EXTENSION IF NOT EXISTS pg_trgm;
  CREATE OR REPLACE FUNCTION public.search_tsvector(body text) RETURNS tsvector
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $f$
      SELECT CASE WHEN body = '[erased]' THEN ''::tsvector
        ELSE to_tsvector('pg_catalog.indonesian', body) || to_tsvector('pg_catalog.english', body) END
    $f$;
  CREATE OR REPLACE FUNCTION public.search_words(body text) RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $f$
      SELECT coalesce(array_agg(w), '{}') FROM unnest(tsvector_to_array(
        CASE WHEN body = '[erased]' THEN ''::tsvector ELSE to_tsvector('pg_catalog.simple', body) END)) w
      WHERE length(w) BETWEEN 3 AND 40 AND w ~ '^[[:alpha:]]+$'
    $f$;
  CREATE OR REPLACE FUNCTION public.search_terms_inserted() RETURNS trigger LANGUAGE plpgsql AS $f$
    BEGIN
      EXECUTE format(
        'INSERT INTO %1$I.search_terms AS t (term, docs)
           SELECT w, count(*) FROM new_rows, unnest(public.search_words(new_rows.body)) w GROUP BY w ORDER BY w
         ON CONFLICT (term) DO UPDATE SET docs = t.docs + excluded.docs', TG_TABLE_SCHEMA);
      RETURN NULL;
    END $f$;
  CREATE OR REPLACE FUNCTION public.search_terms_updated() RETURNS trigger LANGUAGE plpgsql AS $f$
    BEGIN
      EXECUTE format(
        'WITH changes AS (
           SELECT w, sum(n)::int AS n FROM (
             SELECT w, -1 AS n FROM old_rows, unnest(public.search_words(old_rows.body)) w
             UNION ALL
             SELECT w, 1 FROM new_rows, unnest(public.search_words(new_rows.body)) w) c
           GROUP BY w HAVING sum(n) <> 0 ORDER BY w)
         INSERT INTO %1$I.search_terms AS t (term, docs) SELECT w, n FROM changes
         ON CONFLICT (term) DO UPDATE SET docs = t.docs + excluded.docs', TG_TABLE_SCHEMA);
      EXECUTE format(
        'DELETE FROM %1$I.search_terms WHERE docs <= 0
           AND term IN (SELECT unnest(public.search_words(old_rows.body)) FROM old_rows)', TG_TABLE_SCHEMA);
      RETURN NULL;
    END $f$;
`;
