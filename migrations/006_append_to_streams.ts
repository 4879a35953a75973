import type { Knex } from "knex";

/**
 * Appends to several streams in one call, so one transaction: each stream's expected revision is checked and
 * its events inserted in the order given; one stream at a revision other than expected raises before the
 * commit and nothing is written. As in append_events, the transaction id is taken before any sequence number
 * (readers stay below the oldest transaction in flight) and followers are notified once.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    -- p_counts[i] events of the flat arrays belong to p_streams[i]; p_expected[i] as in append_events
    -- (-1 = must not exist, -2 = any, n >= 0 = revision of the stream's last event).
    -- A conflict raises P0409 with DETAIL = the stream's revision and HINT = its index (0-based).
    CREATE FUNCTION append_to_streams(
      p_streams text[], p_expected bigint[], p_counts integer[],
      p_ids uuid[], p_types text[], p_versions integer[], p_data jsonb[], p_metadata jsonb[]
    ) RETURNS TABLE (stream_index integer, next_revision bigint, last_position bigint) LANGUAGE plpgsql AS $$
    DECLARE
      v_tx xid8 := pg_current_xact_id();
      v_current bigint;
      v_from integer := 1;
      v_to integer;
    BEGIN
      FOR i IN 1 .. coalesce(cardinality(p_streams), 0) LOOP
        SELECT max(e.stream_revision) INTO v_current FROM events e WHERE e.stream_id = p_streams[i];
        v_current := coalesce(v_current, -1);
        IF p_expected[i] <> -2 AND v_current <> p_expected[i] THEN
          RAISE EXCEPTION 'wrong expected revision' USING ERRCODE = 'P0409', DETAIL = v_current::text,
            HINT = (i - 1)::text;
        END IF;
        v_to := v_from + p_counts[i] - 1;
        RETURN QUERY
          WITH inserted AS (
            INSERT INTO events (stream_id, stream_revision, event_id, event_type, schema_version, data, metadata, transaction_id)
            SELECT p_streams[i], v_current + u.ord, u.id, u.type, u.version, u.data, u.metadata, v_tx
            FROM unnest(p_ids[v_from:v_to], p_types[v_from:v_to], p_versions[v_from:v_to], p_data[v_from:v_to],
                        p_metadata[v_from:v_to]) WITH ORDINALITY AS u(id, type, version, data, metadata, ord)
            ORDER BY u.ord
            RETURNING events.stream_revision, events.global_position
          )
          SELECT i - 1, max(inserted.stream_revision), max(inserted.global_position) FROM inserted;
        v_from := v_to + 1;
      END LOOP;
      PERFORM pg_notify('livechat_events', '');
    END $$;
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(
    "DROP FUNCTION IF EXISTS append_to_streams(text[], bigint[], integer[], uuid[], text[], integer[], jsonb[], jsonb[])",
  );
}
