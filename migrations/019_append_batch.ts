import type { Knex } from "knex";

/**
 * Coalesced appends: `append_batch` appends several commands' multi-stream appends in one call (one round trip,
 * one transaction, one commit), each checked on its own. Per command, in the order given: every stream it
 * writes or checks must be at its expected revision (-1: no stream, -2: any) — a command whose check fails
 * writes nothing and gets one row naming the stream (`stream_index`) and its revision (`actual`), and the
 * others go on; a command that passes stores the data keys it carries (pii_keys_for_sealing, migration 015:
 * the erasure locks, the refusal of an erased subject as LC410, a key another writer stored first as LC409)
 * and appends its events, one row per stream written. A later command of the batch sees an earlier one's
 * events, so two commands deciding on the same revision of a stream cannot both pass. An error the checks do not
 * decide (LC409, LC410, a unique key taken by another transaction, a deadlock) fails the whole call, and the
 * caller appends the commands one by one (src/eventstore/appendQueue.ts).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE FUNCTION append_batch(
      p_commands integer[], p_keys jsonb[],
      p_streams text[], p_expected bigint[], p_counts integer[],
      p_ids uuid[], p_types text[], p_versions integer[], p_data jsonb[], p_metadata jsonb[]
    ) RETURNS TABLE (command_index integer, stream_index integer, next_revision bigint, last_position bigint,
                     actual bigint)
    LANGUAGE plpgsql VOLATILE AS $$
    DECLARE
      v_tx xid8 := pg_current_xact_id();
      v_entry integer := 1;
      v_event integer := 1;
      v_n integer;
      v_events integer;
      v_current bigint;
      v_currents bigint[];
      v_bad integer;
      v_actual bigint;
      v_taken text;
      v_from integer;
      v_to integer;
    BEGIN
      FOR c IN 1 .. coalesce(cardinality(p_commands), 0) LOOP
        v_n := p_commands[c];
        v_events := 0;
        v_bad := NULL;
        v_currents := ARRAY[]::bigint[];
        FOR i IN v_entry .. v_entry + v_n - 1 LOOP
          v_events := v_events + p_counts[i];
          IF v_bad IS NULL THEN
            SELECT max(e.stream_revision) INTO v_current FROM events e WHERE e.stream_id = p_streams[i];
            v_current := coalesce(v_current, -1);
            IF p_expected[i] <> -2 AND v_current <> p_expected[i] THEN
              v_bad := i;
              v_actual := v_current;
            END IF;
            v_currents := v_currents || v_current;
          END IF;
        END LOOP;
        IF v_bad IS NOT NULL THEN
          command_index := c - 1;
          stream_index := v_bad - v_entry;
          next_revision := NULL;
          last_position := NULL;
          actual := v_actual;
          RETURN NEXT;
        ELSE
          IF p_keys[c] IS NOT NULL THEN
            SELECT s.out_key_id INTO v_taken
              FROM pii_keys_for_sealing(p_keys[c]) AS s
              JOIN jsonb_array_elements(p_keys[c]) AS k ON k ->> 'key_id' = s.out_key_id
              WHERE s.out_wrapped_key <> decode(k ->> 'wrapped_key', 'base64') LIMIT 1;
            IF v_taken IS NOT NULL THEN
              RAISE EXCEPTION 'data key made by another writer first' USING ERRCODE = 'LC409', DETAIL = v_taken;
            END IF;
          END IF;
          v_from := v_event;
          FOR i IN v_entry .. v_entry + v_n - 1 LOOP
            IF p_counts[i] > 0 THEN
              v_to := v_from + p_counts[i] - 1;
              RETURN QUERY
                WITH inserted AS (
                  INSERT INTO events (stream_id, stream_revision, event_id, event_type, schema_version, data,
                                      metadata, transaction_id)
                  SELECT p_streams[i], v_currents[i - v_entry + 1] + u.ord, u.id, u.type, u.version, u.data,
                         u.metadata, v_tx
                  FROM unnest(p_ids[v_from:v_to], p_types[v_from:v_to], p_versions[v_from:v_to],
                              p_data[v_from:v_to], p_metadata[v_from:v_to])
                    WITH ORDINALITY AS u(id, type, version, data, metadata, ord)
                  ORDER BY u.ord
                  RETURNING events.stream_revision, events.global_position
                )
                SELECT c - 1, i - v_entry, max(inserted.stream_revision), max(inserted.global_position),
                       NULL::bigint
                FROM inserted;
              v_from := v_to + 1;
            END IF;
          END LOOP;
        END IF;
        v_entry := v_entry + v_n;
        v_event := v_event + v_events;
      END LOOP;
    END $$;
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(
    "DROP FUNCTION IF EXISTS append_batch(integer[], jsonb[], text[], bigint[], integer[], uuid[], text[], integer[], jsonb[], jsonb[])",
  );
}
