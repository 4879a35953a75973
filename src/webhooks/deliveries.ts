import { randomUUID } from "node:crypto";
import type { Knex } from "knex";
import type { RecordedEvent } from "../eventstore/eventStore";
import { eventVisibleTo } from "../workspace/visibility";
import { orderingKey, webhookBody } from "./payload";

/** A queued delivery as the sender needs it. */
export interface DueDelivery {
  readonly id: string;
  readonly endpoint_id: string;
  readonly url: string;
  readonly secret: string;
  readonly body: string;
  readonly attempts: number;
}

/** The delivery rows for a batch of events: one per active endpoint subscribed to each event's type. */
export function deliveriesFor(
  events: readonly RecordedEvent[],
  endpoints: readonly { id: string; event_types: string[] }[],
  options: { replay: boolean } = { replay: false },
): Record<string, unknown>[] {
  const rows: Record<string, unknown>[] = [];
  for (const event of events) {
    // Agent-only events never leave in a payload, whatever an endpoint's stored subscription says.
    if (!eventVisibleTo("visitor", event.type)) continue;
    for (const endpoint of endpoints) {
      if (!endpoint.event_types.includes(event.type)) continue;
      rows.push({
        id: randomUUID(),
        endpoint_id: endpoint.id,
        event_id: event.id,
        event_type: event.type,
        event_position: event.position.toString(),
        ordering_key: orderingKey(event),
        body: webhookBody(event),
        replay: options.replay,
      });
    }
  }
  return rows;
}

/** Queues live deliveries; an (endpoint, event) pair already queued is left alone, so a re-run adds nothing. */
export async function enqueue(trx: Knex.Transaction, rows: Record<string, unknown>[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 500) {
    const chunk = rows.slice(i, i + 500);
    if (chunk.some((r) => r.replay)) await trx.table("webhook_deliveries").insert(chunk);
    else
      await trx.raw(
        "? ON CONFLICT (endpoint_id, event_id) WHERE NOT replay DO NOTHING",
        trx.table("webhook_deliveries").insert(chunk),
      );
  }
}

/**
 * Takes up to `limit` deliveries that are due and first in line: no earlier delivery of the same endpoint and
 * stream is still pending. Each is leased for `leaseMs`, so another sender skips it while it is in flight and
 * picks it up again if this one dies.
 */
export async function claimDue(knex: Knex, limit: number, leaseMs: number): Promise<DueDelivery[]> {
  const result = await knex.raw(
    `UPDATE webhook_deliveries d
        SET locked_until = now() + make_interval(secs => ? / 1000.0)
       FROM webhook_endpoints e
      WHERE e.id = d.endpoint_id
        AND d.seq IN (
          SELECT c.seq FROM webhook_deliveries c
           JOIN webhook_endpoints ce ON ce.id = c.endpoint_id AND ce.disabled_at IS NULL
           WHERE c.status = 'pending'
             AND c.next_attempt_at <= now()
             AND (c.locked_until IS NULL OR c.locked_until < now())
             AND NOT EXISTS (
               SELECT 1 FROM webhook_deliveries p
                WHERE p.endpoint_id = c.endpoint_id AND p.ordering_key = c.ordering_key
                  AND p.status = 'pending' AND p.seq < c.seq)
           ORDER BY c.seq
           LIMIT ?
           FOR UPDATE OF c SKIP LOCKED)
      RETURNING d.id, d.endpoint_id, e.url, e.secret, d.body, d.attempts`,
    [leaseMs, limit],
  );
  return result.rows as DueDelivery[];
}

/** Records a successful attempt. */
export async function markDelivered(knex: Knex, id: string, status: number): Promise<void> {
  await knex
    .table("webhook_deliveries")
    .where({ id })
    .update({
      status: "delivered",
      attempts: knex.raw("attempts + 1"),
      last_status: status,
      last_error: null,
      delivered_at: knex.fn.now(),
      locked_until: null,
    });
}

/** Records a failed attempt: retried after `retryInMs`, or a dead letter when that is null. */
export async function markFailed(
  knex: Knex,
  id: string,
  failure: { status: number | null; error: string },
  retryInMs: number | null,
): Promise<void> {
  const common = {
    attempts: knex.raw("attempts + 1"),
    last_status: failure.status,
    last_error: failure.error.slice(0, 500),
    locked_until: null,
  };
  await knex
    .table("webhook_deliveries")
    .where({ id })
    .update(
      retryInMs === null
        ? { ...common, status: "dead", dead_at: knex.fn.now() }
        : { ...common, next_attempt_at: knex.raw("now() + make_interval(secs => ? / 1000.0)", [retryInMs]) },
    );
}

export interface DeadLetter {
  readonly delivery_id: string;
  readonly endpoint_id: string;
  readonly event_id: string;
  readonly event_type: string;
  readonly event_position: number;
  readonly attempts: number;
  readonly last_status: number | null;
  readonly last_error: string | null;
  readonly dead_at: string;
}

/** Deliveries that ran out of attempts, oldest first. */
export async function listDeadLetters(
  knex: Knex,
  filter: { endpointId?: string; limit: number },
): Promise<DeadLetter[]> {
  const query = knex.table("webhook_deliveries").where({ status: "dead" }).orderBy("seq").limit(filter.limit);
  if (filter.endpointId !== undefined) query.andWhere({ endpoint_id: filter.endpointId });
  const rows = await query.select(
    "id",
    "endpoint_id",
    "event_id",
    "event_type",
    "event_position",
    "attempts",
    "last_status",
    "last_error",
    "dead_at",
  );
  return rows.map((r) => ({
    delivery_id: r.id,
    endpoint_id: r.endpoint_id,
    event_id: r.event_id,
    event_type: r.event_type,
    event_position: Number(r.event_position),
    attempts: r.attempts,
    last_status: r.last_status,
    last_error: r.last_error,
    dead_at: (r.dead_at as Date).toISOString(),
  }));
}

/**
 * Queues dead letters again with fresh attempts: one delivery, or every dead one of an endpoint. They keep their
 * place in line (their sequence), so they go out before later events of the same stream that are still pending.
 */
export async function redeliver(
  knex: Knex,
  target: { deliveryId?: string; endpointId?: string },
): Promise<number> {
  const query = knex.table("webhook_deliveries").where({ status: "dead" });
  if (target.deliveryId !== undefined) query.andWhere({ id: target.deliveryId });
  if (target.endpointId !== undefined) query.andWhere({ endpoint_id: target.endpointId });
  return query.update({
    status: "pending",
    attempts: 0,
    next_attempt_at: knex.fn.now(),
    dead_at: null,
    locked_until: null,
  });
}

/** Counts for metrics and status: pending and dead deliveries. */
export async function deliveryCounts(knex: Knex): Promise<{ pending: number; dead: number }> {
  const rows = await knex
    .table("webhook_deliveries")
    .whereIn("status", ["pending", "dead"])
    .groupBy("status")
    .select("status", knex.raw("count(*)::int as n"));
  const count = (status: string) => rows.find((r) => r.status === status)?.n ?? 0;
  return { pending: count("pending"), dead: count("dead") };
}
