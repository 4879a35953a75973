import { randomUUID } from "node:crypto";
import { createStaffKey, revokeStaffKey } from "../../src/auth/staffKeys";
import { mintTestToken } from "../support/identity";
import { startTestService, type TestService } from "../support/testService";
import { maskedTextFrame, openSocket, rawSocket, readySocket } from "../support/wsClient";

const VISITOR = "/api/oss-chat/ws";
const AGENT = "/api/agent/ws";

let svc: TestService;
let agentKey: string;
let auditorKey: string;

beforeAll(async () => {
  svc = await startTestService({
    WS_AUTH_TIMEOUT_MS: "300",
    WS_MAX_SOCKETS_PER_CREDENTIAL: "2",
    WS_MAX_FRAME_BYTES: "1024",
    CORS_ORIGINS: "https://oss.go.id",
    WS_HEARTBEAT_MS: "300",
  });
  agentKey = (await createStaffKey(svc.database.knex, { name: "Budi", role: "agent" })).key;
  auditorKey = (await createStaffKey(svc.database.knex, { name: "Audit", role: "auditor" })).key;
});
afterAll(() => svc.stop());

async function startChat(browser: string) {
  const res = await svc.post("/api/oss-chat/start", { browser_uuid: browser, topic: "Izin usaha" });
  expect(res.status).toBe(201);
  return res.body.session_id as string;
}

describe("authentication", () => {
  it("answers ready to a browser UUID, an OSS token and an agent's staff key", async () => {
    const browser = await readySocket(svc.url, VISITOR, { browser_uuid: randomUUID() });
    const user = await readySocket(svc.url, VISITOR, { token: await mintTestToken("U1", "u1@example.com") });
    const agent = await readySocket(svc.url, AGENT, { staff_key: agentKey });
    for (const s of [browser, user, agent]) s.close();
  });

  it.each([
    [
      "a forged token",
      VISITOR,
      async () => ({ token: await mintTestToken("U1", "u@x.id", { secret: "x".repeat(40) }) }),
    ],
    [
      "an expired token",
      VISITOR,
      async () => ({ token: await mintTestToken("U1", "u@x.id", { ttlSeconds: -60 }) }),
    ],
    ["a staff key on the visitors' socket", VISITOR, async () => ({ staff_key: agentKey })],
    ["a browser UUID on the agents' socket", AGENT, async () => ({ browser_uuid: randomUUID() })],
    ["an unknown staff key", AGENT, async () => ({ staff_key: "lcs_unknown" })],
    ["an auditor's staff key", AGENT, async () => ({ staff_key: auditorKey })],
    ["a frame that is not auth", VISITOR, async () => ({ type: "subscribe", session_id: randomUUID() })],
  ])("closes with 4401 for %s", async (_name, path, credential) => {
    const socket = openSocket(svc.url, path);
    const c = await credential();
    socket.send("type" in c ? c : { type: "auth", ...c });
    expect((await socket.closed).code).toBe(4401);
    expect(socket.frames.some((f) => f.type === "ready")).toBe(false);
  });

  it("closes a socket authenticated by an OSS token with 4401 when the token expires", async () => {
    const socket = await readySocket(svc.url, VISITOR, {
      token: await mintTestToken("U2", "u2@example.com", { ttlSeconds: 2 }),
    });
    const started = Date.now();
    const closed = await socket.closed;
    expect(closed.code).toBe(4401);
    expect(Date.now() - started).toBeGreaterThan(500);
  });

  it("closes an agent's socket with 4401 once its staff key is revoked", async () => {
    const key = await createStaffKey(svc.database.knex, { name: "Temp", role: "agent" });
    const socket = await readySocket(svc.url, AGENT, { staff_key: key.key });
    await revokeStaffKey(svc.database.knex, key.id);
    expect((await socket.closed).code).toBe(4401);
  });

  it("closes with 4408 when no auth frame arrives in time", async () => {
    const socket = openSocket(svc.url, VISITOR);
    expect((await socket.closed).code).toBe(4408);
  });

  it("refuses credentials in the URL, foreign origins and unknown paths before upgrading", async () => {
    for (const [path, headers] of [
      [`${VISITOR}?token=abc`, {}],
      [VISITOR, { origin: "https://evil.example" }],
      ["/api/oss-chat/other-ws", {}],
    ] as const) {
      const socket = openSocket(svc.url, path, headers);
      const error = await new Promise<Error>((resolve) => socket.ws.once("error", resolve));
      expect(error.message).toMatch(/Unexpected server response: (400|403|404)/);
    }
    const allowed = openSocket(svc.url, VISITOR, { origin: "https://oss.go.id" });
    allowed.send({ type: "auth", browser_uuid: randomUUID() });
    await allowed.next((f) => f.type === "ready");
    allowed.close();
  });

  it("limits sockets per credential with 4429", async () => {
    const browser_uuid = randomUUID();
    const a = await readySocket(svc.url, VISITOR, { browser_uuid });
    const b = await readySocket(svc.url, VISITOR, { browser_uuid });
    const c = openSocket(svc.url, VISITOR);
    c.send({ type: "auth", browser_uuid });
    expect((await c.closed).code).toBe(4429);
    a.close();
    await a.closed;
    await readySocket(svc.url, VISITOR, { browser_uuid }).then((d) => d.close());
    b.close();
  });
});

describe("frames", () => {
  it("answers malformed frames with an error frame and stays open", async () => {
    const socket = await readySocket(svc.url, VISITOR, { browser_uuid: randomUUID() });
    socket.send("{not json");
    await socket.next((f) => f.type === "error" && f.code === 400 && /JSON/.test(f.error));
    socket.send({ type: "subscribe", session_id: "nope" });
    await socket.next((f) => f.type === "error" && /session_id/.test(f.error));
    socket.send({ type: "dance" });
    await socket.next((f) => f.type === "error" && /type/.test(f.error));
    socket.ws.send(Buffer.from([1, 2, 3]));
    // Worded in Indonesian by default (Accept-Language picks English: test/int/languages.int.test.ts).
    await socket.next((f) => f.type === "error" && /teks JSON/.test(f.error));
    const id = await startChat(randomUUID());
    socket.send({ type: "typing", session_id: id });
    await socket.next((f) => f.type === "error" && f.code === 404 && f.session_id === id);
    expect(socket.ws.readyState).toBe(socket.ws.OPEN);
    socket.close();
  });

  it("closes a socket that sends a frame over the size limit (1009)", async () => {
    const socket = await readySocket(svc.url, VISITOR, { browser_uuid: randomUUID() });
    socket.send({ type: "typing", session_id: "x".repeat(2000) });
    expect((await socket.closed).code).toBe(1009);
  });

  it("answers 404 for another visitor's session and an unknown one, and nothing of the session", async () => {
    const owner = randomUUID();
    const id = await startChat(owner);
    const other = await readySocket(svc.url, VISITOR, { browser_uuid: randomUUID() });
    other.send({ type: "subscribe", session_id: id, after_seq: 0 });
    await other.next((f) => f.type === "error" && f.code === 404 && f.session_id === id);
    const unknown = randomUUID();
    other.send({ type: "subscribe", session_id: unknown, after_seq: 0 });
    await other.next((f) => f.type === "error" && f.code === 404 && f.session_id === unknown);
    expect(other.frames.filter((f) => f.type !== "ready" && f.type !== "error")).toEqual([]);
    const mine = await readySocket(svc.url, VISITOR, { browser_uuid: owner });
    mine.send({ type: "subscribe", session_id: id, after_seq: 0 });
    const subscribed = await mine.next((f) => f.type === "subscribed");
    expect(subscribed).toEqual({
      type: "subscribed",
      session_id: id,
      last_seq: 0,
      status: "waiting",
      assigned_agent: null,
      visitor_read_seq: 0,
      agent_read_seq: 0,
    });
    for (const s of [other, mine]) s.close();
  });

  it("sends read receipts to the session's subscribers, and the marks so far with subscribed", async () => {
    const owner = randomUUID();
    const id = await startChat(owner);
    const auth = { authorization: `Bearer ${agentKey}` };
    expect((await svc.post(`/api/agent/sessions/${id}/claim`, {}, auth)).status).toBe(200);
    const visitor = await readySocket(svc.url, VISITOR, { browser_uuid: owner });
    visitor.send({ type: "subscribe", session_id: id, after_seq: 0 });
    await visitor.next((f) => f.type === "subscribed");
    const posted = await svc.post(
      "/api/oss-chat/message",
      { session_id: id, body: "Halo" },
      { "x-browser-uuid": owner },
    );
    expect(posted.status).toBe(201);
    expect((await svc.post(`/api/agent/sessions/${id}/read`, { up_to_seq: 1 }, auth)).status).toBe(200);
    expect(await visitor.next((f) => f.type === "read")).toEqual({
      type: "read",
      session_id: id,
      reader_kind: "agent",
      up_to_seq: 1,
    });
    const again = await readySocket(svc.url, VISITOR, { browser_uuid: owner });
    again.send({ type: "subscribe", session_id: id, after_seq: 1 });
    expect(await again.next((f) => f.type === "subscribed")).toMatchObject({
      last_seq: 1,
      status: "active",
      visitor_read_seq: 0,
      agent_read_seq: 1,
    });
    for (const s of [visitor, again]) s.close();
  });

  it("sends a queue frame to agents' sockets when a session starts waiting", async () => {
    const agent = await readySocket(svc.url, AGENT, { staff_key: agentKey });
    const id = await startChat(randomUUID());
    expect(await agent.next((f) => f.type === "queue" && f.session_id === id)).toEqual({
      type: "queue",
      session_id: id,
      topic: "Izin usaha",
      priority: "normal",
    });
    agent.close();
  });

  it("relays typing to the other side only, rate-limited", async () => {
    const owner = randomUUID();
    const id = await startChat(owner);
    const visitor = await readySocket(svc.url, VISITOR, { browser_uuid: owner });
    const agent = await readySocket(svc.url, AGENT, { staff_key: agentKey });
    for (const s of [visitor, agent]) {
      s.send({ type: "subscribe", session_id: id });
      await s.next((f) => f.type === "subscribed");
    }
    for (let i = 0; i < 5; i++) visitor.send({ type: "typing", session_id: id });
    expect(await agent.next((f) => f.type === "typing")).toEqual({
      type: "typing",
      session_id: id,
      author_kind: "visitor",
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(agent.frames.filter((f) => f.type === "typing")).toHaveLength(1);
    expect(visitor.frames.filter((f) => f.type === "typing")).toHaveLength(0);
    for (const s of [visitor, agent]) s.close();
  });

  it("answers frames over the rate limit with 429, and closes a socket far over it with 4429", async () => {
    const socket = await readySocket(svc.url, VISITOR, { browser_uuid: randomUUID() });
    const id = randomUUID();
    for (let i = 0; i < 300; i++) socket.send({ type: "unsubscribe", session_id: id });
    await socket.next((f) => f.type === "error" && f.code === 429);
    expect((await socket.closed).code).toBe(4429);
  });

  it("drops an authenticated peer that stops answering pings", async () => {
    const raw = await rawSocket(svc.url, VISITOR);
    let received = "";
    raw.on("data", (d) => {
      received += d.toString("latin1"); // reads everything, but never answers a ping with a pong
    });
    raw.write(maskedTextFrame(JSON.stringify({ type: "auth", browser_uuid: randomUUID() })));
    const started = Date.now();
    await new Promise((r) => raw.once("close", r));
    expect(received).toContain('{"type":"ready"}');
    // Dropped at the heartbeat after the unanswered ping (300 ms apart here), with no close handshake.
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it("counts open sockets in /metrics", async () => {
    const socket = await readySocket(svc.url, AGENT, { staff_key: agentKey });
    const ops = await createStaffKey(svc.database.knex, { name: "Ops", role: "ops" });
    const metrics = await svc.get("/metrics", { authorization: `Bearer ${ops.key}` });
    expect(metrics.body).toMatch(/livechat_ws_open_sockets\{endpoint="agent"\} [1-9]/);
    socket.close();
  });
});
