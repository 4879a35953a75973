import { readFileSync } from "node:fs";
import path from "node:path";
import { parse as parseYaml } from "yaml";
import type { ConsumerLagReader } from "../../src/bus/bus";
import { createKnex } from "../../src/db/database";
import { createMetrics, createRealtimeMetrics } from "../../src/ops/metrics";

const ops = path.resolve(__dirname, "../../ops");

/** Series Prometheus makes itself for every target: allowed although the service does not export them. */
const PROMETHEUS_SERIES = new Set(["up"]);

/** Every metric name the service's registry exports, in every mode (Kafka lag included). */
function exportedMetricNames(): Set<string> {
  const knex = createKnex("postgres://unused@127.0.0.1:1/unused", 1); // never connected: nothing is collected
  const kafkaLag: ConsumerLagReader = {
    read: () => Promise.reject(new Error("not called")),
    close: () => Promise.resolve(),
  };
  const metrics = createMetrics(knex, { kafkaLag });
  createRealtimeMetrics(metrics.registry); // registered by the real-time endpoint when it starts
  void knex.destroy();
  const names = new Set<string>();
  for (const metric of metrics.registry.getMetricsAsArray()) {
    const { name, type } = metric as unknown as { name: string; type: string };
    names.add(name);
    if (type === "histogram") for (const suffix of ["_bucket", "_count", "_sum"]) names.add(name + suffix);
  }
  return names;
}

/** Metric names in a PromQL expression: the service's are all `livechat_…`; `up` is Prometheus' own. */
function metricsIn(expr: string): string[] {
  const names = [...expr.matchAll(/\b(livechat_[a-z0-9_]+)\b/g)].map((m) => m[1] as string);
  if (/(^|[^\w])up\s*[{=<>!]/.test(expr)) names.push("up");
  return names;
}

function dashboardExprs(): { title: string; expr: string }[] {
  const dashboard = JSON.parse(readFileSync(path.join(ops, "grafana/livechat-dashboard.json"), "utf8"));
  const found: { title: string; expr: string }[] = [];
  const walk = (panels: { title: string; targets?: { expr: string }[]; panels?: unknown[] }[]) => {
    for (const p of panels) {
      for (const t of p.targets ?? []) found.push({ title: p.title, expr: t.expr });
      if (p.panels) walk(p.panels as typeof panels);
    }
  };
  walk(dashboard.panels);
  return found;
}

function alertExprs(): { title: string; expr: string }[] {
  const rules = parseYaml(readFileSync(path.join(ops, "prometheus/livechat-alerts.yml"), "utf8"));
  return rules.groups.flatMap((g: { rules: { alert: string; expr: string; for?: string }[] }) =>
    g.rules.map((r) => ({ title: r.alert, expr: String(r.expr) })),
  );
}

describe("the Grafana dashboard and the Prometheus alerts", () => {
  const exported = exportedMetricNames();
  const all = [...dashboardExprs(), ...alertExprs()];

  test("both files parse and hold queries", () => {
    expect(dashboardExprs().length).toBeGreaterThanOrEqual(15);
    expect(alertExprs().length).toBeGreaterThanOrEqual(10);
  });

  test.each(all.map((q) => [q.title, q.expr]))(
    "%s references only metrics the service exports",
    (_title, expr) => {
      const names = metricsIn(expr);
      expect(names.length).toBeGreaterThan(0);
      for (const name of names) {
        expect([name, exported.has(name) || PROMETHEUS_SERIES.has(name)]).toEqual([name, true]);
      }
    },
  );

  test("they cover API latency and errors, projection and consumer lag, dead letters, webhooks, WebSockets", () => {
    const used = new Set(all.flatMap((q) => metricsIn(q.expr)));
    for (const needed of [
      "livechat_http_request_duration_seconds_bucket",
      "livechat_http_request_duration_seconds_count",
      "livechat_command_duration_seconds_bucket",
      "livechat_projection_lag_seconds",
      "livechat_kafka_consumer_lag",
      "livechat_projection_dead_letters",
      "livechat_webhook_dead_letters",
      "livechat_webhook_attempts_total",
      "livechat_ws_open_sockets",
    ]) {
      expect([needed, used.has(needed)]).toEqual([needed, true]);
    }
  });

  test("every alert has a severity, a summary and a duration", () => {
    const rules = parseYaml(readFileSync(path.join(ops, "prometheus/livechat-alerts.yml"), "utf8"));
    for (const group of rules.groups) {
      for (const rule of group.rules) {
        expect(["warning", "critical"]).toContain(rule.labels?.severity);
        expect(typeof rule.annotations?.summary).toBe("string");
        expect(rule.for).toMatch(/^\d+[smh]$/);
      }
    }
  });
});
