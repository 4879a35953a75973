import type { Knex } from "knex";

/**
 * The Postgres event store. Each append records the id of its transaction, taken before any sequence
 * number, so readers can stay below the oldest transaction still in flight and never pass a gap.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE events (
      global_position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      stream_id text NOT NULL,
      stream_revision bigint NOT NULL,
      event_id uuid NOT NULL UNIQUE,
      event_type text NOT NULL,
      schema_version integer NOT NULL,
      data jsonb NOT NULL,
      metadata jsonb NOT NULL,
      transaction_id xid8 NOT NULL,
      recorded_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (stream_id, stream_revision)
    );
    CREATE INDEX events_log_order ON events (transaction_id, global_position);

    -- Events are never changed or deleted.
    CREATE FUNCTION events_are_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'events are immutable: % is not allowed', TG_OP USING ERRCODE = 'P0002';
    END $$;
    CREATE TRIGGER events_immutable BEFORE UPDATE OR DELETE ON events
      FOR EACH ROW EXECUTE FUNCTION events_are_immutable();
    CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
      FOR EACH STATEMENT EXECUTE FUNCTION events_are_immutable();

    -- One round trip per append: check the expected revision, insert, notify followers.
    -- p_expected: -1 = stream must not exist, -2 = any, n >= 0 = revision of the stream's last event.
    CREATE FUNCTION append_events(
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
      PERFORM pg_notify('livechat_events', '');
    END $$;
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    DROP FUNCTION IF EXISTS append_events(text, bigint, uuid[], text[], integer[], jsonb[], jsonb[]);
    DROP TABLE IF EXISTS events;
    DROP FUNCTION IF EXISTS events_are_immutable();
  `);
}
