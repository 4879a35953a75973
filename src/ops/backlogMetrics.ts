import type { Knex } from "knex";
import { Counter, Gauge, type Registry } from "prom-client";
import { deliveryCounts } from "../webhooks/deliveries";
import { LIVE_PROJECTOR } from "./rebuildNames";

/**
 * What waits for someone: webhook deliveries queued or dead, events the projector parked. Gauges are measured
 * from the database on each scrape, so they are right whichever process runs the workers.
 */
export function registerBacklogMetrics(
  registry: Registry,
  knex: Knex,
): { webhookAttempts: Counter<"outcome"> } {
  const webhookAttempts = new Counter({
    name: "livechat_webhook_attempts_total",
    help: "Webhook delivery attempts by outcome (delivered, failed: will retry, dead: out of attempts)",
    labelNames: ["outcome"] as const,
    registers: [registry],
  });
  const webhookPending = new Gauge({
    name: "livechat_webhook_pending_deliveries",
    help: "Webhook deliveries queued and not yet delivered",
    registers: [registry],
  });
  new Gauge({
    name: "livechat_webhook_dead_letters",
    help: "Webhook deliveries that ran out of attempts and wait for a redelivery",
    registers: [registry],
    async collect() {
      const counts = await deliveryCounts(knex);
      this.set(counts.dead);
      webhookPending.set(counts.pending);
    },
  });
  new Gauge({
    name: "livechat_projection_dead_letters",
    help: "Events the projector could not apply and parked (not yet retried by a rebuild)",
    labelNames: ["projector"] as const,
    registers: [registry],
    async collect() {
      const row = await knex
        .table("projection_dead_letters")
        .where({ projector: LIVE_PROJECTOR })
        .whereNull("retried_at")
        .count({ n: "*" })
        .first();
      this.set({ projector: LIVE_PROJECTOR }, Number(row?.n ?? 0));
    },
  });
  return { webhookAttempts };
}
