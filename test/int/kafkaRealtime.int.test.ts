import { randomBytes, randomUUID } from "node:crypto";
import { createStaffKey } from "../../src/auth/staffKeys";
import { type CliProcess, spawnCli } from "../support/cliProcess";
import { TEST_IDENTITY_SECRET } from "../support/identity";
import { type KafkaBroker, startKafkaBroker } from "../support/kafkaBroker";
import { createTestDatabase, type TestDatabase } from "../support/testDatabase";
import { openQuietDatabase } from "../support/testService";
import { readySocket, type TestSocket } from "../support/wsClient";

// Kafka mode: relay → Kafka; two API processes, each with its own real-time consumer (not the projectors' group).
let broker: KafkaBroker;
let db: TestDatabase;
const processes: CliProcess[] = [];
let urlA: string;
let urlB: string;
let agentKey: string;

async function listeningUrl(p: CliProcess): Promise<string> {
  await p.waitForOutput(/OSS LiveChat API listening/, 120_000);
  const match = /"url":"(http:\/\/[^"]+)"/.exec(p.output());
  if (!match?.[1]) throw new Error(`no url in ${p.output()}`);
  return match[1];
}

beforeAll(async () => {
  [broker, db] = await Promise.all([startKafkaBroker(), createTestDatabase("lc_rtk")]);
  const suffix = randomBytes(4).toString("hex");
  const env = {
    DATABASE_URL: db.url,
    BUS: "kafka",
    KAFKA_BROKERS: broker.brokers.join(","),
    KAFKA_TOPIC: `livechat.events.${suffix}`,
    KAFKA_TOPIC_PARTITIONS: "2",
    KAFKA_GROUP_ID: `livechat-projector-${suffix}`,
    PORT: "0",
    HOST: "127.0.0.1",
    OSS_IDENTITY_SECRET: TEST_IDENTITY_SECRET,
  };
  const migrated = await openQuietDatabase(db.url);
  agentKey = (await createStaffKey(migrated.knex, { name: "Dewi", role: "agent" })).key;
  await migrated.close();
  const relay = spawnCli("relay", env);
  const projector = spawnCli("projector", env);
  const a = spawnCli("api", env);
  const b = spawnCli("api", env);
  processes.push(relay, projector, a, b);
  [urlA, urlB] = await Promise.all([listeningUrl(a), listeningUrl(b)]);
  await relay.waitForOutput(/relay active/, 120_000);
}, 240_000);

afterAll(async () => {
  await Promise.all(processes.map((p) => p.kill("SIGTERM")));
  await broker?.stop();
  await db?.drop();
}, 90_000);

async function startChat(base: string, browser: string): Promise<string> {
  const res = await fetch(`${base}/api/oss-chat/start`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ browser_uuid: browser, topic: "Kafka" }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { session_id: string }).session_id;
}

/** Starts chats on A until B's agent socket announces one: B's consumer then reads the topic live. */
async function warmUp(agent: TestSocket) {
  for (let i = 0; i < 60; i++) {
    const id = await startChat(urlA, randomUUID());
    const seen = await agent
      .next((f) => f.type === "queue" && f.session_id === id, 2000)
      .then(
        () => true,
        () => false,
      );
    if (seen) return;
  }
  throw new Error("instance B never received an event through Kafka");
}

it("events from instance A reach sockets on instance B through Kafka", async () => {
  const agent = await readySocket(urlB, "/api/agent/ws", { staff_key: agentKey });
  await warmUp(agent);
  const id = await startChat(urlA, randomUUID());
  expect(await agent.next((f) => f.type === "queue" && f.session_id === id, 10_000)).toMatchObject({
    topic: "Kafka",
  });
  agent.close();
});

it("messages posted to instance A reach a subscribed socket on instance B through Kafka", async () => {
  const agent = await readySocket(urlB, "/api/agent/ws", { staff_key: agentKey });
  await warmUp(agent);
  agent.close();
  const owner = randomUUID();
  const id = await startChat(urlA, owner);
  const visitor = await readySocket(urlB, "/api/oss-chat/ws", { browser_uuid: owner });
  visitor.send({ type: "subscribe", session_id: id, after_seq: 0 });
  await visitor.next((f) => f.type === "subscribed");
  for (const body of ["satu", "dua", "tiga"]) {
    const res = await fetch(`${urlA}/api/oss-chat/message`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-browser-uuid": owner },
      body: JSON.stringify({ session_id: id, body }),
    });
    expect(res.status).toBe(201);
  }
  await visitor.next((f) => f.type === "message" && f.message.seq === 3, 10_000);
  const bodies = visitor.frames.filter((f) => f.type === "message").map((f) => f.message.body);
  expect(bodies).toEqual(["satu", "dua", "tiga"]);
  visitor.close();
});
