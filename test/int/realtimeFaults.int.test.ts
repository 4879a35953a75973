import { randomUUID } from "node:crypto";
import net from "node:net";
import { startVisitorChat } from "../support/conversation";
import { startTestService, type TestService } from "../support/testService";
import { openSocket, readySocket, type TestSocket } from "../support/wsClient";

// What a WebSocket fault drill found (issue 18): slots leaked by refused handshakes, 429s that did not say what
// they refused, a frame budget that never forgave, after_seq past the end accepted, typing using the budget.
const VISITOR = "/api/oss-chat/ws";
const SOCKETS_PER_IP = 5;

let svc: TestService;

beforeAll(async () => {
  svc = await startTestService({
    WS_MAX_SOCKETS_PER_IP: String(SOCKETS_PER_IP),
    WS_MAX_SOCKETS_PER_CREDENTIAL: "2",
    WS_FRAMES_PER_SECOND: "50",
    WS_FRAME_BURST: "10",
    WS_TYPING_PER_SECOND: "1",
  });
});
afterAll(() => svc.stop());

/** Sends a raw HTTP request on a fresh connection; resolves with what came back before the server closed it. */
async function rawRequest(request: string, hangUp = false): Promise<string> {
  const socket = net.connect(Number(new URL(svc.url).port), "127.0.0.1");
  await new Promise((r) => socket.once("connect", r));
  let received = "";
  socket.on("data", (d) => {
    received += d.toString("latin1");
  });
  socket.on("error", () => undefined);
  const closed = new Promise((r) => socket.once("close", r));
  socket.write(request);
  if (hangUp) socket.destroy();
  else socket.end();
  await closed;
  return received;
}

const upgrade = (headers: string) =>
  `GET ${VISITOR} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n${headers}\r\n`;
const GOOD_KEY = "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n";

async function readyMany(n: number): Promise<TestSocket[]> {
  return Promise.all(
    Array.from({ length: n }, () => readySocket(svc.url, VISITOR, { browser_uuid: randomUUID() })),
  );
}

async function closeAll(sockets: TestSocket[]) {
  for (const s of sockets) s.close();
  await Promise.all(sockets.map((s) => s.closed));
}

describe("per-IP and per-credential slots", () => {
  it("are released by handshakes refused, hung up on and closed: a good socket still opens after many bad ones", async () => {
    for (let i = 0; i < 4 * SOCKETS_PER_IP; i++) {
      // ws refuses these (no Sec-WebSocket-Key, a bad version) without calling back.
      expect(await rawRequest(upgrade("Sec-WebSocket-Version: 13\r\n"))).toMatch(/^HTTP\/1\.1 400/);
      expect(await rawRequest(upgrade("Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"))).toMatch(
        /^HTTP\/1\.1 400/,
      );
      // A client that hangs up right after asking.
      await rawRequest(upgrade(GOOD_KEY), true);
    }
    for (let round = 0; round < 3; round++) await closeAll(await readyMany(SOCKETS_PER_IP));
    // Settle: the server sees the last hang-ups' close a moment after the client.
    await new Promise((r) => setTimeout(r, 200));
    const all = await readyMany(SOCKETS_PER_IP);
    // And the limit itself still holds.
    const extra = openSocket(svc.url, VISITOR);
    const refused = await new Promise<Error>((resolve) => extra.ws.once("error", resolve));
    expect(refused.message).toMatch(/Unexpected server response: 429/);
    await closeAll(all);
  });

  it("per credential: sockets dropped without a close frame give their slot back", async () => {
    const browser_uuid = randomUUID();
    for (let i = 0; i < 6; i++) {
      const s = await readySocket(svc.url, VISITOR, { browser_uuid });
      s.ws.terminate(); // the TCP connection just ends
      await s.closed;
    }
    await new Promise((r) => setTimeout(r, 200));
    const both = await Promise.all([1, 2].map(() => readySocket(svc.url, VISITOR, { browser_uuid })));
    await closeAll(both);
  });
});

describe("the frame budget", () => {
  it("answers a refused frame with 429 naming its type and session", async () => {
    const socket = await readySocket(svc.url, VISITOR, { browser_uuid: randomUUID() });
    const ids = Array.from({ length: 25 }, () => randomUUID());
    for (const id of ids) socket.send({ type: "subscribe", session_id: id });
    await socket.next((f) => f.type === "error" && f.code === 429);
    // Every frame gets an answer naming its session: 404 (nobody's session) or 429 (refused).
    const deadline = Date.now() + 5000;
    while (socket.frames.filter((f) => f.type === "error").length < ids.length && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    const errors = socket.frames.filter((f) => f.type === "error");
    const refused = errors.filter((f) => f.code === 429);
    expect(refused.length).toBeGreaterThan(0);
    for (const f of refused)
      expect(f).toMatchObject({ frame_type: "subscribe", session_id: expect.any(String) });
    expect(errors.map((f) => f.session_id).sort()).toEqual([...ids].sort());
    socket.close();
  });

  it("is a rate: excess frames spread over a socket's life do not close it, a flood does", async () => {
    const socket = await readySocket(svc.url, VISITOR, { browser_uuid: randomUUID() });
    // 30 bursts of 12 frames, 150 ms apart: each over the burst of 10, about 100 refused in all, more than the
    // 40 a flood may have refused at once (and robust to a few bursts arriving together on a busy machine).
    for (let round = 0; round < 30; round++) {
      for (let i = 0; i < 12; i++) socket.send({ type: "unsubscribe", session_id: randomUUID() });
      await new Promise((r) => setTimeout(r, 150));
    }
    const refused = socket.frames.filter((f) => f.type === "error" && f.code === 429).length;
    expect(refused).toBeGreaterThan(40);
    expect(socket.ws.readyState).toBe(socket.ws.OPEN);
    expect(socket.frames.filter((f) => f.type === "unsubscribed").length).toBeGreaterThanOrEqual(100);
    for (let i = 0; i < 300; i++) socket.send({ type: "unsubscribe", session_id: randomUUID() });
    expect((await socket.closed).code).toBe(4429);
  });

  it("drops typing past the relay rate without using the frame allowance", async () => {
    const v = await startVisitorChat(svc);
    const socket = await readySocket(svc.url, VISITOR, { browser_uuid: v.browser });
    socket.send({ type: "subscribe", session_id: v.sessionId });
    await socket.next((f) => f.type === "subscribed");
    // Typing signals at 80 a second for a second: over the frame rate (50), relayed once a second.
    for (let i = 0; i < 20; i++) {
      for (let k = 0; k < 4; k++) socket.send({ type: "typing", session_id: v.sessionId });
      await new Promise((r) => setTimeout(r, 50));
    }
    const other = randomUUID();
    socket.send({ type: "unsubscribe", session_id: other });
    await socket.next((f) => f.type === "unsubscribed" && f.session_id === other);
    expect(socket.frames.filter((f) => f.type === "error")).toEqual([]);
    socket.close();
  });
});

describe("subscribe and unsubscribe", () => {
  it("refuses after_seq past the session's last seq with after_seq_ahead and the real last_seq", async () => {
    const v = await startVisitorChat(svc);
    for (const body of ["satu", "dua"]) {
      const r = await svc.post("/api/oss-chat/message", { session_id: v.sessionId, body }, v.headers);
      expect(r.status).toBe(201);
    }
    const socket = await readySocket(svc.url, VISITOR, { browser_uuid: v.browser });
    socket.send({ type: "subscribe", session_id: v.sessionId, after_seq: 7 });
    const error = await socket.next((f) => f.type === "error");
    expect(error).toMatchObject({
      type: "error",
      code: 409,
      error_code: "after_seq_ahead",
      session_id: v.sessionId,
      last_seq: 2,
    });
    // Not subscribed: a third message does not come to this socket...
    await svc.post("/api/oss-chat/message", { session_id: v.sessionId, body: "tiga" }, v.headers);
    await new Promise((r) => setTimeout(r, 300));
    expect(socket.frames.filter((f) => f.type === "message" || f.type === "subscribed")).toEqual([]);
    // ...until it subscribes with a seq it may have.
    socket.send({ type: "subscribe", session_id: v.sessionId, after_seq: 2 });
    expect((await socket.next((f) => f.type === "message")).message.seq).toBe(3);
    expect(await socket.next((f) => f.type === "subscribed")).toMatchObject({ last_seq: 3 });
    socket.close();
  });

  it("acknowledges unsubscribe, and nothing of the session comes after it", async () => {
    const v = await startVisitorChat(svc);
    const socket = await readySocket(svc.url, VISITOR, { browser_uuid: v.browser });
    socket.send({ type: "subscribe", session_id: v.sessionId });
    await socket.next((f) => f.type === "subscribed");
    socket.send({ type: "unsubscribe", session_id: v.sessionId });
    expect(await socket.next((f) => f.type === "unsubscribed")).toEqual({
      type: "unsubscribed",
      session_id: v.sessionId,
    });
    await svc.post("/api/oss-chat/message", { session_id: v.sessionId, body: "halo" }, v.headers);
    await new Promise((r) => setTimeout(r, 300));
    expect(socket.frames.filter((f) => f.type === "message")).toEqual([]);
    socket.close();
  });
});

describe("close codes", () => {
  it("closes a socket that sends a text frame of invalid UTF-8 with 1007, as the README says", async () => {
    const socket = await readySocket(svc.url, VISITOR, { browser_uuid: randomUUID() });
    socket.ws.send(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { binary: false });
    expect((await socket.closed).code).toBe(1007);
  });
});

describe("upgrades while an instance starts", () => {
  it("never answers 404: the real-time endpoints are there as soon as the port accepts connections", async () => {
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise((r) => probe.close(r));
    const answers: string[] = [];
    let hammering = true;
    const hammer = (async () => {
      while (hammering) {
        const status = await new Promise<string>((resolve) => {
          const s = net.connect(port, "127.0.0.1");
          let head = "";
          s.on("error", (err: NodeJS.ErrnoException) => resolve(err.code ?? "error"));
          s.on("data", (d) => {
            head += d.toString("latin1");
            const line = /^HTTP\/1\.1 (\d+)/.exec(head);
            if (line?.[1]) {
              resolve(line[1]);
              s.destroy();
            }
          });
          s.on("close", () => resolve("closed"));
          s.on("connect", () => s.write(upgrade(GOOD_KEY)));
        });
        answers.push(status);
        if (status === "ECONNREFUSED") await new Promise((r) => setTimeout(r, 1));
      }
    })();
    const started = await startTestService({ PORT: String(port) });
    for (const until = Date.now() + 300; Date.now() < until; ) await new Promise((r) => setTimeout(r, 10));
    hammering = false;
    await hammer;
    await started.stop();
    expect(answers).toContain("101");
    expect(answers.filter((a) => a !== "ECONNREFUSED" && a !== "101")).toEqual([]);
  });
});
