import type { Knex } from "knex";

/**
 * Personal data keys, apart from the events they open: each data key wrapped by the key-encryption key
 * (PII_KEK), the subjects erased (so no new key is ever made for them), a check value that tells a wrong KEK
 * at start, and the progress of the one-time re-encryption of events written in plaintext.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE pii_keys (
      key_id text PRIMARY KEY,
      subject_id text NOT NULL,
      wrapped_key bytea NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX pii_keys_subject ON pii_keys (subject_id);
    CREATE TABLE pii_erased_subjects (
      subject_id text PRIMARY KEY,
      erased_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE TABLE pii_kek_check (
      id integer PRIMARY KEY CHECK (id = 1),
      wrapped_check bytea NOT NULL
    );
    CREATE TABLE pii_reencrypted_streams (
      stream_id text PRIMARY KEY,
      events integer NOT NULL,
      head_hash_before text NULL,
      head_hash_after text NULL,
      reencrypted_at timestamptz NOT NULL DEFAULT now()
    );

    -- Staff who answer data-subject requests (erasure, export).
    ALTER TABLE staff_api_keys DROP CONSTRAINT IF EXISTS staff_api_keys_role_check;
    ALTER TABLE staff_api_keys ADD CONSTRAINT staff_api_keys_role_check
      CHECK (role IN ('agent', 'auditor', 'ops', 'privacy'));

    -- Events stay immutable, with one controlled exception: the re-encryption migration, in a transaction
    -- that sets livechat.reencrypting, may replace data and metadata (never ids, types, order or time).
    CREATE OR REPLACE FUNCTION events_are_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'UPDATE' AND current_setting('livechat.reencrypting', true) = 'on'
         AND NEW.global_position = OLD.global_position AND NEW.stream_id = OLD.stream_id
         AND NEW.stream_revision = OLD.stream_revision AND NEW.event_id = OLD.event_id
         AND NEW.event_type = OLD.event_type AND NEW.schema_version = OLD.schema_version
         AND NEW.transaction_id = OLD.transaction_id AND NEW.recorded_at = OLD.recorded_at THEN
        RETURN NEW;
      END IF;
      RAISE EXCEPTION 'events are immutable: % is not allowed', TG_OP USING ERRCODE = 'P0002';
    END $$;
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    DELETE FROM staff_api_keys WHERE role = 'privacy';
    ALTER TABLE staff_api_keys DROP CONSTRAINT IF EXISTS staff_api_keys_role_check;
    ALTER TABLE staff_api_keys ADD CONSTRAINT staff_api_keys_role_check
      CHECK (role IN ('agent', 'auditor', 'ops'));
    CREATE OR REPLACE FUNCTION events_are_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'events are immutable: % is not allowed', TG_OP USING ERRCODE = 'P0002';
    END $$;
    DROP TABLE IF EXISTS pii_reencrypted_streams;
    DROP TABLE IF EXISTS pii_kek_check;
    DROP TABLE IF EXISTS pii_erased_subjects;
    DROP TABLE IF EXISTS pii_keys;
  `);
}
