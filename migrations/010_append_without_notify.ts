import type { Knex } from "knex";

/**
 * append_events and append_to_streams without their NOTIFY. A NOTIFY inside a transaction takes the database's notification-queue lock
 * at commit and holds it through the WAL flush, so every appending transaction committed one after another
 * (no group commit): 16 writers appended at 0.4× emmett-postgresql's rate with it and 1.1–1.4× without.
 * Followers are now woken by the store after the commit (in-process directly, other processes by a NOTIFY of
 * its own, coalesced), see postgresEventStore.ts.
 */
const fn = (notify: boolean) => `
  CREATE OR REPLACE FUNCTION append_events(
    p_stream text, p_expected bigint, p_ids uuid[], p_types text[], p_versions integer[],
    p_data jsonb[], p_metadata jsonb[]
  ) RETURNS TABLE (next_revision bigint, last_position bigint) LANGUAGE plpgsql AS $$
  DECLARE
    v_tx xid8 := pg_current_xact_id();
    v_current bigint;
  BEGIN
    SELECT max(e.stream_revision) INTO v_current FROM events e WHERE e.stream_id = p_stream;
    v_current := coalesce(v_current, -1);
    IF p_expected <> -2 AND v_current <> p_expected THEN
      RAISE EXCEPTION 'wrong expected revision' USING ERRCODE = 'P0409', DETAIL = v_current::text;
    END IF;
    RETURN QUERY
      INSERT INTO events (stream_id, stream_revision, event_id, event_type, schema_version, data, metadata, transaction_id)
      SELECT p_stream, v_current + u.ord, u.id, u.type, u.version, u.data, u.metadata, v_tx
      FROM unnest(p_ids, p_types, p_versions, p_data, p_metadata) WITH ORDINALITY
        AS u(id, type, version, data, metadata, ord)
      ORDER BY u.ord
      RETURNING stream_revision, global_position;
    ${notify ? "PERFORM pg_notify('livechat_events', '');" : ""}
  END $$;
`;

const multi = (notify: boolean) => `
    CREATE OR REPLACE FUNCTION append_to_streams(
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
      ${notify ? "PERFORM pg_notify('livechat_events', '');" : ""}
    END $$;
`;

export async function up(knex: Knex): Promise<void> {
  await knex.raw(fn(false));
  await knex.raw(multi(false));
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(fn(true));
  await knex.raw(multi(true));
}
