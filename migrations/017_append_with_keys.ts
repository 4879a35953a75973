import type { Knex } from "knex";

/**
 * An append that carries the data keys its events were sealed with, made in the process: in one transaction it
 * takes the subjects' advisory locks (those erasure takes, in the same byte order), refuses an erased subject
 * (SQLSTATE LC410, the subject in DETAIL), stores the keys, refuses if another writer stored a different key
 * under one of the ids first (LC409, the key id in DETAIL: the events were sealed with a key that lost), and
 * appends (append_to_streams). A new visitor's StartChat is then one round trip instead of two.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE FUNCTION append_to_streams_with_keys(
      p_keys jsonb, p_streams text[], p_expected bigint[], p_counts integer[],
      p_ids uuid[], p_types text[], p_versions integer[], p_data jsonb[], p_metadata jsonb[]
    ) RETURNS TABLE (stream_index integer, next_revision bigint, last_position bigint)
    LANGUAGE plpgsql VOLATILE AS $$
    DECLARE
      v_subject_ids text[];
      v_subject text;
      v_erased text;
      v_taken text;
    BEGIN
      SELECT array_agg(DISTINCT k ->> 'subject_id') INTO v_subject_ids FROM jsonb_array_elements(p_keys) AS k;
      FOR v_subject IN SELECT u FROM unnest(v_subject_ids) AS u ORDER BY u COLLATE "C" LOOP
        PERFORM pg_advisory_xact_lock(hashtextextended('pii:' || v_subject, 7013));
      END LOOP;
      SELECT e.subject_id INTO v_erased
        FROM pii_erased_subjects e WHERE e.subject_id = ANY (v_subject_ids) LIMIT 1;
      IF v_erased IS NOT NULL THEN
        RAISE EXCEPTION 'data subject erased' USING ERRCODE = 'LC410', DETAIL = v_erased;
      END IF;
      INSERT INTO pii_keys (key_id, subject_id, wrapped_key)
        SELECT k ->> 'key_id', k ->> 'subject_id', decode(k ->> 'wrapped_key', 'base64')
        FROM jsonb_array_elements(p_keys) AS k
        ON CONFLICT (key_id) DO NOTHING;
      SELECT p.key_id INTO v_taken
        FROM jsonb_array_elements(p_keys) AS k JOIN pii_keys p ON p.key_id = k ->> 'key_id'
        WHERE p.wrapped_key <> decode(k ->> 'wrapped_key', 'base64') LIMIT 1;
      IF v_taken IS NOT NULL THEN
        RAISE EXCEPTION 'data key made by another writer first' USING ERRCODE = 'LC409', DETAIL = v_taken;
      END IF;
      RETURN QUERY SELECT * FROM append_to_streams(
        p_streams, p_expected, p_counts, p_ids, p_types, p_versions, p_data, p_metadata);
    END;
    $$;
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(
    "DROP FUNCTION IF EXISTS append_to_streams_with_keys(jsonb, text[], bigint[], integer[], uuid[], text[], integer[], jsonb[], jsonb[])",
  );
}
