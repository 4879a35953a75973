import { randomBytes, randomUUID } from "node:crypto";
import { loadConfig } from "../../src/config";
import { createLogger } from "../../src/logger";
import { type RunningService, startService } from "../../src/service";
import { type KafkaBroker, startKafkaBroker } from "../support/kafkaBroker";
import { waitFor } from "../support/readModel";
import { createTestDatabase, type TestDatabase } from "../support/testDatabase";
import { startTestService, type TestService } from "../support/testService";

// The projector group's lag per partition, read from a real broker's committed offsets and high watermarks.
let broker: KafkaBroker;
let db: TestDatabase;
let api: TestService; // API + relay, no projector: the group lags until a worker joins
let env: Record<string, string>;
let worker: RunningService | null = null;

beforeAll(async () => {
  [broker, db] = await Promise.all([startKafkaBroker(), createTestDatabase("lc_kafkalag")]);
  const suffix = randomBytes(4).toString("hex");
  env = {
    DATABASE_URL: db.url,
    BUS: "kafka",
    KAFKA_BROKERS: broker.brokers.join(","),
    KAFKA_TOPIC: `livechat.events.${suffix}`,
    KAFKA_TOPIC_PARTITIONS: "3",
    KAFKA_GROUP_ID: `livechat-projector-${suffix}`,
    METRICS_PORT: "0",
  };
  api = await startTestService(env, { api: true, projector: false, relay: true }, db);
}, 180_000);

afterAll(async () => {
  await worker?.stop();
  await api?.stop();
  await broker?.stop();
  await db?.drop();
}, 60_000);

const scrape = async () => (await fetch(`${api.metricsUrl}/metrics`)).text();

/** The lag gauge's value per partition, as Prometheus would read it. */
async function lagSeries(): Promise<Map<string, number>> {
  const series = new Map<string, number>();
  for (const m of (await scrape()).matchAll(
    /^livechat_kafka_consumer_lag\{topic="([^"]+)",group="([^"]+)",partition="(\d+)"\} (\d+)$/gm,
  )) {
    expect(m[1]).toBe(env.KAFKA_TOPIC);
    expect(m[2]).toBe(env.KAFKA_GROUP_ID);
    series.set(m[3] as string, Number(m[4]));
  }
  return series;
}

const total = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);

test("lag per partition in /metrics and /readyz: what was published and not yet committed, then 0", async () => {
  for (let i = 0; i < 5; i++) {
    const s = await api.post("/api/oss-chat/start", { browser_uuid: randomUUID(), topic: `Lag ${i}` });
    expect(s.status).toBe(201);
  }
  // Each anonymous start appends two events (user registered, session started); the relay publishes them all.
  await waitFor(async () => total(await lagSeries()) === 10, 60_000);
  const before = await lagSeries();
  expect([...before.keys()].sort()).toEqual(["0", "1", "2"]);

  const ready = await api.get("/readyz");
  expect(ready.status).toBe(200);
  expect(ready.body.kafka).toMatchObject({
    status: "ok",
    topic: env.KAFKA_TOPIC,
    group: env.KAFKA_GROUP_ID,
    lag: 10,
  });
  expect(ready.body.kafka.partitions).toHaveLength(3);
  for (const p of ready.body.kafka.partitions) {
    expect(p).toMatchObject({ committed: null, lag: before.get(String(p.partition)) });
    expect(Number(p.high_watermark)).toBe(p.lag);
  }

  // A projector worker joins, applies and commits: the broker's committed offsets catch up with the watermarks.
  const config = loadConfig({ ...env, LOG_LEVEL: "silent", METRICS_PORT: "" });
  worker = await startService(config, createLogger("silent"), { api: false, projector: "kafka" });
  await waitFor(async () => total(await lagSeries()) === 0, 60_000);
  const after = (await api.get("/readyz")).body.kafka;
  expect(after.lag).toBe(0);
  for (const p of after.partitions) {
    expect(p.lag).toBe(0);
    // Keys are random: a partition that got no event has nothing to commit (committed stays null at watermark 0).
    expect(p.committed ?? "0").toBe(p.high_watermark);
  }
});

test("/readyz without Kafka mode has no kafka detail", async () => {
  const plain = await startTestService();
  try {
    const ready = await plain.get("/readyz");
    expect(ready.status).toBe(200);
    expect(ready.body.kafka).toBeUndefined();
  } finally {
    await plain.stop();
  }
});
