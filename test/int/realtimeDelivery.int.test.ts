import { randomUUID } from "node:crypto";
import { createStaffKey } from "../../src/auth/staffKeys";
import { streams } from "../../src/domain/streams";
import { asBrowser, bearer } from "../support/identity";
import { startTestService, type TestService } from "../support/testService";
import { maskedTextFrame, rawSocket, readySocket, type TestSocket } from "../support/wsClient";

const VISITOR = "/api/oss-chat/ws";
const AGENT = "/api/agent/ws";

let svc: TestService;
let agent: { id: string; name: string; key: string };
let other: { id: string; name: string; key: string };

beforeAll(async () => {
  svc = await startTestService({ WS_MAX_BUFFERED_BYTES: "1024", RATE_LIMIT_PER_IDENTITY: "100000" });
  agent = await createStaffKey(svc.database.knex, { name: "Budi", role: "agent" });
  other = await createStaffKey(svc.database.knex, { name: "Sari", role: "agent" });
});
afterAll(() => svc.stop());

async function startChat(browser: string): Promise<string> {
  const res = await svc.post("/api/oss-chat/start", { browser_uuid: browser, topic: "Izin usaha" });
  expect(res.status).toBe(201);
  return res.body.session_id;
}

async function post(browser: string, sessionId: string, body: string) {
  const res = await svc.post("/api/oss-chat/message", { session_id: sessionId, body }, asBrowser(browser));
  expect(res.status).toBe(201);
  return res.body as { seq: number; message_id: string };
}

const messageSeqs = (s: TestSocket, sessionId: string) =>
  s.frames.filter((f) => f.type === "message" && f.session_id === sessionId).map((f) => f.message.seq);

async function subscribed(s: TestSocket, sessionId: string, afterSeq = 0) {
  s.send({ type: "subscribe", session_id: sessionId, after_seq: afterSeq });
  return s.next((f) => f.type === "subscribed" && f.session_id === sessionId);
}

it("sends the backlog after after_seq, then live messages, each once and in order", async () => {
  const browser = randomUUID();
  const id = await startChat(browser);
  for (const body of ["satu", "dua", "tiga"]) await post(browser, id, body);
  const socket = await readySocket(svc.url, VISITOR, { browser_uuid: browser });
  expect((await subscribed(socket, id, 1)).last_seq).toBe(3);
  const posted = await post(browser, id, "empat");
  const live = await socket.next((f) => f.type === "message" && f.message.seq === 4);
  expect(live).toEqual({
    type: "message",
    session_id: id,
    message: {
      message_id: posted.message_id,
      seq: 4,
      author_kind: "visitor",
      author_name: null,
      body: "empat",
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    },
  });
  expect(messageSeqs(socket, id)).toEqual([2, 3, 4]);
  socket.close();
});

it("resumes without loss or duplicates while messages keep arriving during reconnects", async () => {
  const browser = randomUUID();
  const id = await startChat(browser);
  const total = 60;
  const seen: number[] = [];
  let stop = false;
  const reconnecting = (async () => {
    // A client that drops its socket again and again, each time subscribing with the last seq it saw.
    while (!stop) {
      const s = await readySocket(svc.url, VISITOR, { browser_uuid: browser });
      s.send({ type: "subscribe", session_id: id, after_seq: seen.at(-1) ?? 0 });
      await new Promise((r) => setTimeout(r, 30 + Math.random() * 50));
      s.ws.terminate();
      await s.closed;
      seen.push(...messageSeqs(s, id));
    }
  })();
  for (let i = 1; i <= total; i++) await post(browser, id, `pesan ${i}`);
  await new Promise((r) => setTimeout(r, 200));
  stop = true;
  await reconnecting;
  const last = await readySocket(svc.url, VISITOR, { browser_uuid: browser });
  await subscribed(last, id, seen.at(-1) ?? 0);
  seen.push(...messageSeqs(last, id));
  expect(seen).toEqual(Array.from({ length: total }, (_, i) => i + 1));
  last.close();
});

it("tells subscribers and agents about claim, transfer and close, and the assignee's socket about its chat", async () => {
  const browser = randomUUID();
  const visitor = await readySocket(svc.url, VISITOR, { browser_uuid: browser });
  const budi = await readySocket(svc.url, AGENT, { staff_key: agent.key });
  const sari = await readySocket(svc.url, AGENT, { staff_key: other.key });
  const id = await startChat(browser);
  await subscribed(visitor, id);
  await budi.next((f) => f.type === "queue" && f.session_id === id);
  expect((await svc.post(`/api/agent/sessions/${id}/claim`, {}, bearer(agent.key))).status).toBe(200);
  const budiRef = { id: agent.id, name: "Budi" };
  expect(await visitor.next((f) => f.type === "status" && f.status === "active")).toEqual({
    type: "status",
    session_id: id,
    status: "active",
    assigned_agent: budiRef,
  });
  expect(await budi.next((f) => f.type === "assigned" && f.session_id === id)).toEqual({
    type: "assigned",
    session_id: id,
    assigned_agent: budiRef,
    topic: "Izin usaha",
    priority: "normal",
  });
  // A transfer goes only to an agent who said it is available.
  await fetch(`${svc.url}/api/agent/status`, {
    method: "PUT",
    headers: { "content-type": "application/json", ...bearer(other.key) },
    body: JSON.stringify({ status: "available" }),
  });
  const transfer = await svc.post(
    `/api/agent/sessions/${id}/transfer`,
    { to_agent_id: other.id },
    bearer(agent.key),
  );
  expect(transfer.status).toBe(200);
  await sari.next((f) => f.type === "assigned" && f.session_id === id);
  await visitor.next((f) => f.type === "status" && f.assigned_agent?.id === other.id);
  await subscribed(sari, id);
  const reply = await svc.post(`/api/agent/sessions/${id}/messages`, { body: "Halo" }, bearer(other.key));
  expect(reply.status).toBe(201);
  const fromAgent = await visitor.next((f) => f.type === "message" && f.message.author_kind === "agent");
  expect(fromAgent.message).toMatchObject({ body: "Halo", author_name: "Sari" });
  await sari.next((f) => f.type === "message" && f.message.body === "Halo");
  expect((await svc.post(`/api/agent/sessions/${id}/close`, {}, bearer(other.key))).status).toBe(200);
  expect(await visitor.next((f) => f.type === "status" && f.status === "closed")).toEqual({
    type: "status",
    session_id: id,
    status: "closed",
    assigned_agent: { id: other.id, name: "Sari" },
  });
  expect(budi.frames.filter((f) => f.type === "assigned" && f.session_id === id)).toHaveLength(1);
  for (const s of [visitor, budi, sari]) s.close();
});

it("closes a socket that does not read with 1013 instead of buffering without bound", async () => {
  const browser = randomUUID();
  const id = await startChat(browser);
  // More than the kernel's socket buffers absorb (several MB on loopback): 2,000 messages of 3,900 characters,
  // appended in one go to the session's stream as the message command would append them.
  const stream = streams.chatSession(id);
  const existing = await svc.database.store.readStream(stream);
  const started = existing[0];
  if (!started) throw new Error("no session stream");
  const message = (seq: number) => ({
    id: randomUUID(),
    type: "ChatMessagePosted",
    data: {
      session_id: id,
      message_id: randomUUID(),
      seq,
      client_message_id: null,
      author_kind: "visitor",
      author_id: browser,
      author_name: null,
      body: "x".repeat(3900),
    },
    metadata: { ...started.metadata, occurred_at: new Date().toISOString() },
  });
  const events = Array.from({ length: 2000 }, (_, i) => message(i + 1));
  await svc.database.store.append(stream, events as never, BigInt(existing.length - 1));
  // A raw client that authenticates, subscribes, then never reads again.
  const socket = await rawSocket(svc.url, VISITOR);
  const frame = maskedTextFrame;
  socket.write(frame(JSON.stringify({ type: "auth", browser_uuid: browser })));
  await new Promise((r) => setTimeout(r, 200));
  socket.pause();
  socket.write(frame(JSON.stringify({ type: "subscribe", session_id: id, after_seq: 0 })));
  // The backlog may sit in the send buffer (the process holds it anyway); live messages may not pile on top.
  // Reading, opening and sending 2,000 sealed messages takes a while on a busy CI box: the live ones come after.
  await new Promise((r) => setTimeout(r, 2500));
  const live = [message(2001), message(2002), message(2003)];
  await svc.database.store.append(stream, live as never, BigInt(existing.length - 1 + 2000));
  // A reader that comes back within the grace period finds the close frame with its code after the data.
  await new Promise((r) => setTimeout(r, 1500));
  const received: Buffer[] = [];
  socket.on("data", (d) => received.push(d));
  socket.resume();
  await new Promise((r) => socket.once("close", r));
  const all = Buffer.concat(received);
  // The last frame is the close frame: 0x88, a payload length under 126, then exactly that many bytes.
  let close = -1;
  for (let i = all.length - 2; i >= Math.max(0, all.length - 130); i--) {
    if (all[i] === 0x88 && i + 2 + (all[i + 1] as number) === all.length) close = i;
  }
  expect(close).toBeGreaterThan(0);
  // Its payload starts with the code, 1013 (0x03f5).
  expect(all.subarray(close + 2, close + 4)).toEqual(Buffer.from([0x03, 0xf5]));
  // The whole backlog came through; the live messages stopped once they passed the bound.
  const text = all.toString("latin1");
  expect(text).toContain('"seq":2000,');
  expect(text).not.toContain('"seq":2003,');
});
