import type { Knex } from "knex";

/**
 * Data keys for sealing in one round trip: `pii_keys_for_sealing` takes the keys a write needs as JSON, each
 * with a freshly made wrapped key (base64), and under the subjects' advisory locks (the ones erasure takes,
 * in the same byte order) refuses an erased subject (SQLSTATE LC410, the subject in DETAIL), stores the keys
 * that are missing and returns the keys as stored: a key another writer made first wins. Each statement of a volatile PL/pgSQL
 * function reads a fresh snapshot, so the checks after the lock see what a concurrent erasure committed.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE FUNCTION pii_keys_for_sealing(p_keys jsonb)
    RETURNS TABLE (out_key_id text, out_wrapped_key bytea)
    LANGUAGE plpgsql VOLATILE AS $$
    DECLARE
      v_erased text;
      v_subject text;
      v_key_ids text[];
      v_subject_ids text[];
    BEGIN
      SELECT array_agg(k ->> 'key_id'), array_agg(DISTINCT k ->> 'subject_id')
        INTO v_key_ids, v_subject_ids FROM jsonb_array_elements(p_keys) AS k;
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
      RETURN QUERY SELECT p.key_id, p.wrapped_key FROM pii_keys p WHERE p.key_id = ANY (v_key_ids);
    END;
    $$;
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw("DROP FUNCTION IF EXISTS pii_keys_for_sealing(jsonb)");
}
