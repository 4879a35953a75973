import type { Knex } from "knex";
import { Gauge, type Registry } from "prom-client";

interface QueueSnapshot {
  readonly waiting: number;
  readonly active: number;
  readonly oldest: number;
}

/**
 * Live operations, measured from the read tables on each scrape: the queue (sessions waiting for an agent) and
 * its oldest wait, chats in progress, agents available. Teams do not exist yet, so there is no team label. The
 * three queue gauges share one query per scrape (the gauges of a scrape are collected together).
 */
export function registerLiveChatMetrics(registry: Registry, knex: Knex): void {
  let pending: Promise<QueueSnapshot> | null = null;
  const snapshot = () => {
    pending ??= (async () => {
      try {
        const result = await knex.raw(`
          SELECT count(*) FILTER (WHERE status = 'waiting') AS waiting,
                 count(*) FILTER (WHERE status = 'active') AS active,
                 coalesce(extract(epoch FROM now() - min(created_at) FILTER (WHERE status = 'waiting')), 0) AS oldest
            FROM chat_sessions WHERE deleted_at IS NULL AND status IN ('waiting', 'active')`);
        const row = result.rows[0] ?? {};
        return {
          waiting: Number(row.waiting ?? 0),
          active: Number(row.active ?? 0),
          oldest: Math.max(0, Number(row.oldest ?? 0)),
        };
      } finally {
        setTimeout(() => {
          pending = null;
        }, 250).unref();
      }
    })();
    return pending;
  };
  const gauge = (name: string, help: string, pickValue: (s: QueueSnapshot) => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      async collect() {
        this.set(pickValue(await snapshot()));
      },
    });
  gauge("livechat_queue_length", "Chats waiting for an agent", (s) => s.waiting);
  gauge(
    "livechat_queue_oldest_wait_seconds",
    "How long the longest-waiting unassigned chat has waited (0 when none waits)",
    (s) => s.oldest,
  );
  gauge("livechat_chats_active", "Chats assigned to an agent and not closed", (s) => s.active);
  new Gauge({
    name: "livechat_agents_available",
    help: "Agents whose latest status is available",
    registers: [registry],
    async collect() {
      const row = await knex.table("chat_agents").where({ status: "available" }).count({ n: "*" }).first();
      this.set(Number(row?.n ?? 0));
    },
  });
}
