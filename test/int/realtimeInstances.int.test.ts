import { randomUUID } from "node:crypto";
import { createStaffKey } from "../../src/auth/staffKeys";
import { type CliProcess, spawnCli } from "../support/cliProcess";
import { TEST_IDENTITY_SECRET } from "../support/identity";
import { createTestDatabase, type TestDatabase } from "../support/testDatabase";
import { openQuietDatabase } from "../support/testService";
import { readySocket } from "../support/wsClient";

// Two API processes on one Postgres (the embedded/Postgres mode): each follows the log once, woken by NOTIFY.
let db: TestDatabase;
let a: CliProcess;
let b: CliProcess;
let urlA: string;
let urlB: string;
let agentKey: string;

async function listeningUrl(p: CliProcess): Promise<string> {
  await p.waitForOutput(/OSS LiveChat API listening/);
  const match = /"url":"(http:\/\/[^"]+)"/.exec(p.output());
  if (!match?.[1]) throw new Error(`no url in ${p.output()}`);
  return match[1];
}

beforeAll(async () => {
  db = await createTestDatabase("lc_rt2");
  const env = {
    DATABASE_URL: db.url,
    PORT: "0",
    HOST: "127.0.0.1",
    OSS_IDENTITY_SECRET: TEST_IDENTITY_SECRET,
    PROJECTOR_POLL_MS: "50",
  };
  a = spawnCli("start", env);
  urlA = await listeningUrl(a);
  b = spawnCli("api", env);
  urlB = await listeningUrl(b);
  const quiet = await openQuietDatabase(db.url);
  agentKey = (await createStaffKey(quiet.knex, { name: "Sari", role: "agent" })).key;
  await quiet.close();
}, 120_000);

afterAll(async () => {
  await Promise.all([a, b].map((p) => p?.kill("SIGTERM")));
  await db?.drop();
}, 60_000);

async function startChat(base: string, browser: string): Promise<string> {
  const res = await fetch(`${base}/api/oss-chat/start`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ browser_uuid: browser, topic: "Perizinan", priority: "high" }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { session_id: string }).session_id;
}

it("a session started through instance A reaches an agent's socket on instance B", async () => {
  const agent = await readySocket(urlB, "/api/agent/ws", { staff_key: agentKey });
  const id = await startChat(urlA, randomUUID());
  expect(await agent.next((f) => f.type === "queue" && f.session_id === id)).toEqual({
    type: "queue",
    session_id: id,
    topic: "Perizinan",
    priority: "high",
  });
  agent.close();
});

it("typing on instance A reaches the other side on instance B", async () => {
  const owner = randomUUID();
  const id = await startChat(urlA, owner);
  const visitor = await readySocket(urlA, "/api/oss-chat/ws", { browser_uuid: owner });
  const agent = await readySocket(urlB, "/api/agent/ws", { staff_key: agentKey });
  for (const s of [visitor, agent]) {
    s.send({ type: "subscribe", session_id: id, after_seq: 0 });
    await s.next((f) => f.type === "subscribed" && f.session_id === id);
  }
  visitor.send({ type: "typing", session_id: id });
  expect(await agent.next((f) => f.type === "typing")).toEqual({
    type: "typing",
    session_id: id,
    author_kind: "visitor",
  });
  for (const s of [visitor, agent]) s.close();
});

it("a message posted to instance A reaches a subscribed socket on instance B, and resumes there", async () => {
  const owner = randomUUID();
  const id = await startChat(urlA, owner);
  const onB = await readySocket(urlB, "/api/oss-chat/ws", { browser_uuid: owner });
  onB.send({ type: "subscribe", session_id: id, after_seq: 0 });
  await onB.next((f) => f.type === "subscribed" && f.session_id === id);
  const post = async (body: string) => {
    const res = await fetch(`${urlA}/api/oss-chat/message`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-browser-uuid": owner },
      body: JSON.stringify({ session_id: id, body }),
    });
    expect(res.status).toBe(201);
    return (await res.json()) as { message_id: string; seq: number };
  };
  const first = await post("Halo dari A");
  const frame = await onB.next((f) => f.type === "message" && f.message.message_id === first.message_id);
  expect(frame.message).toMatchObject({ seq: 1, body: "Halo dari A", author_kind: "visitor" });
  onB.close();
  await onB.closed;
  await post("Saat terputus");
  const again = await readySocket(urlB, "/api/oss-chat/ws", { browser_uuid: owner });
  again.send({ type: "subscribe", session_id: id, after_seq: 1 });
  await again.next((f) => f.type === "subscribed");
  await post("Setelah tersambung");
  await again.next((f) => f.type === "message" && f.message.seq === 3);
  const seqs = again.frames.filter((f) => f.type === "message").map((f) => f.message.seq);
  expect(seqs).toEqual([2, 3]);
  again.close();
});

it("an instance that shuts down closes its sockets with 1001 so clients reconnect elsewhere", async () => {
  const socket = await readySocket(urlB, "/api/oss-chat/ws", { browser_uuid: randomUUID() });
  await b.kill("SIGTERM");
  expect((await socket.closed).code).toBe(1001);
});
