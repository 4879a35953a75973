import type { Knex } from "knex";

/**
 * Outgoing webhooks: the endpoints ops register, and one delivery row per (endpoint, event) that the sender
 * works through in order per stream. `body` is the exact text that is signed and sent, so a retry or a
 * redelivery sends the same bytes.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE webhook_endpoints (
      id uuid PRIMARY KEY,
      url text NOT NULL,
      event_types text[] NOT NULL,
      secret text NOT NULL,
      description varchar(500),
      created_at timestamptz NOT NULL DEFAULT now(),
      disabled_at timestamptz NULL
    );
    CREATE TABLE webhook_deliveries (
      seq bigserial PRIMARY KEY,
      id uuid NOT NULL UNIQUE,
      endpoint_id uuid NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
      event_id uuid NOT NULL,
      event_type text NOT NULL,
      event_position bigint NOT NULL,
      ordering_key text NOT NULL,
      body text NOT NULL,
      replay boolean NOT NULL DEFAULT false,
      status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'dead')),
      attempts integer NOT NULL DEFAULT 0,
      next_attempt_at timestamptz NOT NULL DEFAULT now(),
      locked_until timestamptz NULL,
      last_error text NULL,
      last_status integer NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      delivered_at timestamptz NULL,
      dead_at timestamptz NULL
    );
    CREATE UNIQUE INDEX webhook_deliveries_live ON webhook_deliveries (endpoint_id, event_id) WHERE NOT replay;
    CREATE INDEX webhook_deliveries_line ON webhook_deliveries (endpoint_id, ordering_key, seq)
      WHERE status = 'pending';
    CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
    CREATE INDEX webhook_deliveries_dead ON webhook_deliveries (endpoint_id, seq) WHERE status = 'dead';
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    DROP TABLE IF EXISTS webhook_deliveries;
    DROP TABLE IF EXISTS webhook_endpoints;
    DELETE FROM projection_checkpoints WHERE name = 'webhooks';
  `);
}
