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
      v_taken text;
    BEGIN
      -- The locks, the refusal of an erased subject and the insert are pii_keys_for_sealing's (migration 015);
      -- its locks are the transaction's, held through the append.
      SELECT s.out_key_id INTO v_taken
        FROM pii_keys_for_sealing(p_keys) AS s
        JOIN jsonb_array_elements(p_keys) AS k ON k ->> 'key_id' = s.out_key_id
        WHERE s.out_wrapped_key <> decode(k ->> 'wrapped_key', 'base64') LIMIT 1;
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
