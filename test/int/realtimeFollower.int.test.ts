import { randomUUID } from "node:crypto";
import { Client } from "pg";
import { createLogger } from "../../src/logger";
import type { LogFollower } from "../../src/realtime/follower";
import type { LoggedEvent } from "../../src/realtime/notices";
import { startPostgresFollower } from "../../src/realtime/pgFollower";
import type { Database } from "../../src/service";
import { createTestDatabase, type TestDatabase } from "../support/testDatabase";
import { openQuietDatabase } from "../support/testService";

let db: TestDatabase;
let database: Database;
let follower: LogFollower;
const seen: LoggedEvent[] = [];

beforeAll(async () => {
  db = await createTestDatabase("lc_rtf");
  database = await openQuietDatabase(db.url);
  const log = database.sealedLog.committed;
  if (!log) throw new Error("the Postgres store reads committed events");
  follower = await startPostgresFollower({
    log,
    logger: createLogger("silent"),
    onEvents: (events) => seen.push(...events),
    pollIntervalMs: 5000, // long: only NOTIFY and the gap re-checks can explain a quick delivery
  });
});
afterAll(async () => {
  await follower.stop();
  await database.close();
  await db.drop();
});

/** Appends one ChatSessionStarted through the store's SQL function on `client` (inside its transaction, if any). */
async function appendStart(client: Client, topic: string): Promise<string> {
  const sessionId = randomUUID();
  const data = {
    session_id: sessionId,
    chat_user_id: randomUUID(),
    topic,
    priority: "normal",
    channel: "web",
  };
  const metadata = {
    occurred_at: new Date().toISOString(),
    correlation_id: randomUUID(),
    causation_id: null,
    actor: { kind: "system", id: "test" },
    ip: null,
    user_agent: null,
    owner_id: data.chat_user_id,
  };
  await client.query(
    "SELECT * FROM append_events($1, '-1', $2::uuid[], $3::text[], $4::int[], $5::jsonb[], $6::jsonb[])",
    [
      `chatSession-${sessionId}`,
      [randomUUID()],
      ["ChatSessionStarted"],
      [2],
      [JSON.stringify(data)],
      [JSON.stringify(metadata)],
    ],
  );
  return sessionId;
}

const topics = () => seen.map((e) => (e.data as { topic: string }).topic);

async function until(check: () => boolean, ms: number) {
  const deadline = Date.now() + ms;
  while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  return check();
}

it("delivers a commit at once while an older append is still in flight, and that one when it commits, each once", async () => {
  const slow = new Client({ connectionString: db.url });
  const fast = new Client({ connectionString: db.url });
  await Promise.all([slow.connect(), fast.connect()]);
  try {
    await slow.query("BEGIN");
    await appendStart(slow, "slow"); // takes its position first, commits last
    await appendStart(fast, "fast");
    // The store announces a commit after it (from the appending process); this append is announced the same way.
    await fast.query("SELECT pg_notify('livechat_events', 'test')");
    expect(await until(() => topics().includes("fast"), 1000)).toBe(true);
    expect(topics()).not.toContain("slow");
    // Not announced: the position the follower passed is looked for again until it fills.
    await slow.query("COMMIT");
    expect(await until(() => topics().includes("slow"), 1000)).toBe(true);
    await new Promise((r) => setTimeout(r, 200));
    expect(topics()).toEqual(["fast", "slow"]);
  } finally {
    await Promise.all([slow.end(), fast.end()]);
  }
});

it("reads a batch again when opening it fails, and delivers it once without waiting for another commit", async () => {
  const delivered: LoggedEvent[] = [];
  let opens = 0;
  const log = database.sealedLog.committed;
  if (!log) throw new Error("the Postgres store reads committed events");
  const flaky = await startPostgresFollower({
    log,
    logger: createLogger("silent"),
    onEvents: (events) => delivered.push(...events),
    // The first open fails as a read of pii_keys would while the database is unreachable for a moment.
    open: async (events) => {
      opens += 1;
      if (opens === 1) throw new Error("connection terminated unexpectedly");
      return events;
    },
    pollIntervalMs: 5000,
  });
  const client = new Client({ connectionString: db.url });
  await client.connect();
  try {
    await appendStart(client, "retried");
    await client.query("SELECT pg_notify('livechat_events', 'test')");
    const retried = () => delivered.some((e) => (e.data as { topic: string }).topic === "retried");
    // No other commit comes to carry it: only reading the failed batch again delivers it.
    expect(await until(retried, 3000)).toBe(true);
    expect(opens).toBeGreaterThanOrEqual(2);
    await new Promise((r) => setTimeout(r, 200));
    expect(delivered.filter((e) => (e.data as { topic: string }).topic === "retried")).toHaveLength(1);
  } finally {
    await client.end();
    await flaky.stop();
  }
});
