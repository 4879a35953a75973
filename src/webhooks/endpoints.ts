import { randomBytes, randomUUID } from "node:crypto";
import type { Knex } from "knex";

/** A registered receiver: where to send, which event types, and whether it is still active. */
export interface WebhookEndpoint {
  readonly id: string;
  readonly url: string;
  readonly event_types: string[];
  readonly description: string | null;
  readonly created_at: string;
  readonly disabled_at: string | null;
}

interface EndpointRow {
  id: string;
  url: string;
  event_types: string[];
  description: string | null;
  created_at: Date;
  disabled_at: Date | null;
  secret: string;
}

const view = (row: EndpointRow): WebhookEndpoint => ({
  id: row.id,
  url: row.url,
  event_types: row.event_types,
  description: row.description,
  created_at: row.created_at.toISOString(),
  disabled_at: row.disabled_at?.toISOString() ?? null,
});

/** A Standard Webhooks signing secret: `whsec_` and 24 random bytes in base64. */
export const newSigningSecret = () => `whsec_${randomBytes(24).toString("base64")}`;

/** Registers an endpoint; its signing secret is returned here once (the receiver needs it to verify). */
export async function createEndpoint(
  knex: Knex,
  input: { url: string; eventTypes: readonly string[]; description?: string | null },
): Promise<WebhookEndpoint & { secret: string }> {
  const secret = newSigningSecret();
  const [row] = (await knex
    .table("webhook_endpoints")
    .insert({
      id: randomUUID(),
      url: input.url,
      event_types: [...new Set(input.eventTypes)],
      description: input.description ?? null,
      secret,
    })
    .returning("*")) as EndpointRow[];
  return { ...view(row as EndpointRow), secret };
}

export async function listEndpoints(knex: Knex): Promise<WebhookEndpoint[]> {
  const rows = (await knex.table("webhook_endpoints").orderBy("created_at").select("*")) as EndpointRow[];
  return rows.map(view);
}

export async function getEndpoint(knex: Knex, id: string): Promise<WebhookEndpoint | null> {
  const row = (await knex.table("webhook_endpoints").where({ id }).first()) as EndpointRow | undefined;
  return row ? view(row) : null;
}

/** Stops deliveries to an endpoint: nothing new is queued for it and what is queued is not sent. */
export async function disableEndpoint(knex: Knex, id: string): Promise<WebhookEndpoint | null> {
  const [row] = (await knex
    .table("webhook_endpoints")
    .where({ id })
    .update({ disabled_at: knex.raw("coalesce(disabled_at, now())") })
    .returning("*")) as EndpointRow[];
  return row ? view(row) : null;
}

/** Active endpoints with their secrets, for the dispatcher and the sender. */
export async function activeEndpoints(
  db: Knex | Knex.Transaction,
): Promise<{ id: string; url: string; event_types: string[]; secret: string }[]> {
  return db.table("webhook_endpoints").whereNull("disabled_at").select("id", "url", "event_types", "secret");
}
