import type { EventLog } from "../../src/eventstore/eventStore";
import { createSessionReader } from "../../src/realtime/sessionAccess";
import { put, staffKey, startVisitorChat } from "../support/conversation";
import { startTestService, type TestService } from "../support/testService";

// A resubscribe (a client resuming after a dropped connection) used to read the session's whole stream from the
// pool posts use; it now reads from the first message it needs, or from where the last read ended.

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService();
});
afterAll(() => svc.stop());

/** The real Postgres store, counting what each readStream reads. */
function countingLog() {
  const store = svc.database.store;
  const reads: { from: bigint; events: number }[] = [];
  const log: EventLog = {
    async readStream(streamId, fromRevision) {
      const events = await store.readStream(streamId, fromRevision);
      reads.push({ from: fromRevision ?? 0n, events: events.length });
      return events;
    },
    readAll: (after, max) => store.readAll(after, max),
    readAt: (position) => store.readAt(position),
    follow: (after, options) => store.follow(after, options),
    close: async () => undefined,
  };
  return { log, reads, last: () => reads.at(-1) };
}

test("a session is read whole once; later reads start at the first message they need or where the last ended", async () => {
  const v = await startVisitorChat(svc);
  const post = async (body: string) => {
    const r = await svc.post("/api/oss-chat/message", { session_id: v.sessionId, body }, v.headers);
    expect(r.status).toBe(201);
  };
  for (let i = 1; i <= 30; i++) await post(`pesan ${i}`);
  const { log, last } = countingLog();
  const read = createSessionReader(log);

  const first = await read(v.sessionId, 0);
  expect(first.messages.map((m) => m.seq)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
  expect(first).toMatchObject({ status: "waiting", lastSeq: 30, chatUserId: v.chatUserId });
  expect(last()?.from).toBe(0n);
  const whole = last()?.events as number;
  expect(whole).toBeGreaterThan(30);

  // A client resuming at the end: only what came since.
  await post("baru 31");
  await post("baru 32");
  const resumed = await read(v.sessionId, 30);
  expect(resumed.messages.map((m) => [m.seq, m.body])).toEqual([
    [31, "baru 31"],
    [32, "baru 32"],
  ]);
  expect(resumed.lastSeq).toBe(32);
  expect(last()?.events).toBe(2);

  // Nothing new: nothing but the end is read.
  expect((await read(v.sessionId, 32)).messages).toEqual([]);
  expect(last()?.events).toBe(0);

  // A client further behind: from its first missing message, not from the start.
  const behind = await read(v.sessionId, 20);
  expect(behind.messages.map((m) => m.seq)).toEqual(Array.from({ length: 12 }, (_, i) => i + 21));
  expect(last()?.from).toBeGreaterThan(0n);
  expect(last()?.events).toBeLessThan(whole);

  // The state keeps up with what happens in the session, read from where the last read ended.
  const agent = await staffKey(svc, "agent", "Dewi");
  expect((await put(svc, "/api/agent/status", { status: "available" }, agent.headers)).status).toBe(200);
  expect((await svc.post(`/api/agent/sessions/${v.sessionId}/claim`, {}, agent.headers)).status).toBe(200);
  const claimed = await read(v.sessionId, 32);
  expect(claimed).toMatchObject({
    status: "active",
    assignedAgent: { id: agent.id, name: "Dewi" },
    lastSeq: 32,
  });
  expect(last()?.events).toBeLessThan(5);

  // Another process (a new reader) reads the whole stream once, and agrees.
  const fresh = createSessionReader(log);
  expect(await fresh(v.sessionId, 20)).toEqual({ ...claimed, messages: behind.messages });
  expect(last()?.from).toBe(0n);
});

test("unknown sessions are read as none and not kept", async () => {
  const { log, reads } = countingLog();
  const read = createSessionReader(log);
  const id = "6c3c1a3e-0a4a-4a8e-9c8e-2d2f1b1b1b1b";
  expect(await read(id, 0)).toMatchObject({ status: "none", lastSeq: 0, messages: [] });
  await read(id, 0);
  expect(reads.map((r) => r.from)).toEqual([0n, 0n]);
});
