import type { RequestHandler } from "express";
import type { Knex } from "knex";
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { ConsumerLagReader } from "../bus/bus";
import { loadCheckpoint } from "../db/checkpoints";
import type { EventStore } from "../eventstore/eventStore";
import { registerBacklogMetrics } from "./backlogMetrics";
import { type HttpSeconds, registerHttpMetrics } from "./httpMetrics";
import { readLag } from "./kafkaLag";
import { registerLiveChatMetrics } from "./liveChatMetrics";
import { lagAfter } from "./projectionHealth";
import { LIVE_PROJECTOR } from "./rebuildNames";

/** The service's Prometheus metrics, one registry per service (tests run several in one process). */
export interface Metrics {
  readonly registry: Registry;
  readonly commandSeconds: Histogram<"command" | "outcome">;
  readonly eventsAppended: Counter<"type">;
  readonly eventsApplied: Counter<"projector">;
  readonly webhookAttempts: Counter<"outcome">;
  readonly httpSeconds: HttpSeconds;
}

/** The command each POST route runs. */
const commandRoutes: Record<string, string> = {
  "/api/oss-chat/start": "StartChat",
  "/api/oss-chat/contact": "SetContact",
  "/api/oss-chat/link-user": "LinkUser",
  "/api/oss-chat/message": "PostMessage",
};

/** Command routes with a session id in the path: the label is the command, never the id. */
const sessionCommandRoutes: readonly (readonly [RegExp, string])[] = [
  [/^\/api\/oss-chat\/session\/[^/]+\/close$/, "CloseSession"],
  [/^\/api\/oss-chat\/session\/[^/]+\/rating$/, "RateSession"],
  [/^\/api\/oss-chat\/session\/[^/]+\/read$/, "MarkRead"],
  [/^\/api\/agent\/sessions\/[^/]+\/claim$/, "ClaimSession"],
  [/^\/api\/agent\/sessions\/[^/]+\/messages$/, "PostMessage"],
  [/^\/api\/agent\/sessions\/[^/]+\/transfer$/, "TransferSession"],
  [/^\/api\/agent\/sessions\/[^/]+\/close$/, "CloseSession"],
  [/^\/api\/agent\/sessions\/[^/]+\/read$/, "MarkRead"],
];

function commandOf(method: string, path: string): string | undefined {
  if (method === "PUT") return path === "/api/agent/status" ? "SetAgentStatus" : undefined;
  if (method !== "POST") return undefined;
  return commandRoutes[path] ?? sessionCommandRoutes.find(([pattern]) => pattern.test(path))?.[1];
}

/** Creates the registry; with `kafkaLag` (Kafka mode) it also exports the projector group's lag per partition. */
export function createMetrics(knex: Knex, options: { kafkaLag?: ConsumerLagReader | null } = {}): Metrics {
  const registry = new Registry();
  const commandSeconds = new Histogram({
    name: "livechat_command_duration_seconds",
    help: "Time to handle a command request, by command and outcome (ok, client_error, server_error)",
    labelNames: ["command", "outcome"] as const,
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const eventsAppended = new Counter({
    name: "livechat_events_appended_total",
    help: "Events appended to the event store, by type",
    labelNames: ["type"] as const,
    registers: [registry],
  });
  const eventsApplied = new Counter({
    name: "livechat_events_applied_total",
    help: "Events applied to the read tables, by projector",
    labelNames: ["projector"] as const,
    registers: [registry],
  });
  const lagEvents = new Gauge({
    name: "livechat_projection_lag_events",
    help: "Events in the log the projector has not applied yet",
    labelNames: ["projector"] as const,
    registers: [registry],
  });
  const lagSeconds = new Gauge({
    name: "livechat_projection_lag_seconds",
    help: "Age of the oldest event the projector has not applied yet",
    labelNames: ["projector"] as const,
    registers: [registry],
    // Measured on scrape, from the database: right whichever process runs the projector.
    async collect() {
      const lag = await lagAfter(knex, await loadCheckpoint(knex, LIVE_PROJECTOR));
      this.set({ projector: LIVE_PROJECTOR }, lag.seconds);
      lagEvents.set({ projector: LIVE_PROJECTOR }, lag.events);
    },
  });
  void lagSeconds;
  const { webhookAttempts } = registerBacklogMetrics(registry, knex);
  registerLiveChatMetrics(registry, knex);
  const httpSeconds = registerHttpMetrics(registry);
  const reader = options.kafkaLag;
  if (reader) {
    const kafkaLag = new Gauge({
      name: "livechat_kafka_consumer_lag",
      help: "Messages of a partition the projector consumer group has not committed (broker high watermark minus committed offset)",
      labelNames: ["topic", "group", "partition"] as const,
      registers: [registry],
      async collect() {
        // A broker that does not answer leaves the series out (absent, not stale) rather than failing the scrape.
        this.reset();
        const lag = await readLag(reader).catch(() => null);
        for (const p of lag?.partitions ?? [])
          this.set({ topic: lag?.topic, group: lag?.group, partition: String(p.partition) }, p.lag);
      },
    });
    void kafkaLag;
  }
  return { registry, commandSeconds, eventsAppended, eventsApplied, webhookAttempts, httpSeconds };
}

/** Times every command request. */
export function commandTimer(metrics: Metrics): RequestHandler {
  return (req, res, next) => {
    const command = commandOf(req.method, req.path);
    if (command === undefined) return next();
    const end = metrics.commandSeconds.startTimer({ command });
    res.once("finish", () => {
      const outcome = res.statusCode >= 500 ? "server_error" : res.statusCode >= 400 ? "client_error" : "ok";
      end({ outcome });
    });
    next();
  };
}

/** The store, counting what it appends. */
export function countingStore(store: EventStore, metrics: Metrics): EventStore {
  return {
    ...store,
    async append(streamId, events, expected) {
      const result = await store.append(streamId, events, expected);
      for (const e of events) metrics.eventsAppended.inc({ type: e.type });
      return result;
    },
    async appendToStreams(writes, checks) {
      const results = await store.appendToStreams(writes, checks);
      for (const e of writes.flatMap((w) => w.events)) metrics.eventsAppended.inc({ type: e.type });
      return results;
    },
  };
}

/** GET /metrics in Prometheus' text format. */
export function metricsRoute(metrics: Metrics): RequestHandler {
  return async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  };
}

/** Metrics of the real-time endpoints, in the service's registry. */
export function createRealtimeMetrics(registry: Registry) {
  return {
    openSockets: new Gauge({
      name: "livechat_ws_open_sockets",
      help: "Open WebSocket connections, by endpoint (visitor, agent)",
      labelNames: ["endpoint"] as const,
      registers: [registry],
    }),
    framesSent: new Counter({
      name: "livechat_ws_frames_sent_total",
      help: "Frames sent to WebSocket clients, by endpoint and frame type",
      labelNames: ["endpoint", "type"] as const,
      registers: [registry],
    }),
    framesReceived: new Counter({
      name: "livechat_ws_frames_received_total",
      help: "Frames received from WebSocket clients, by endpoint",
      labelNames: ["endpoint"] as const,
      registers: [registry],
    }),
  };
}
