import { randomUUID } from "node:crypto";
import { staffKey, startVisitorChat } from "../support/conversation";
import { asBrowser, asOssUser } from "../support/identity";
import { startTestService, type TestService } from "../support/testService";

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService();
});
afterAll(async () => svc.stop());

const post = (sessionId: string, body: unknown, headers: Record<string, string>) =>
  svc.post("/api/oss-chat/message", { session_id: sessionId, ...(body as object) }, headers);
const messages = (sessionId: string, query: string, headers: Record<string, string>) =>
  svc.get(`/api/oss-chat/session/${sessionId}/messages?${query}`, headers);

describe("visitor messages", () => {
  test("a posted message is 201 with seq 1, then read back as text in seq order", async () => {
    const v = await startVisitorChat(svc);
    const first = await post(v.sessionId, { body: "Halo, saya mau tanya izin <b>usaha</b>" }, v.headers);
    expect(first.status).toBe(201);
    expect(first.body).toEqual({
      message_id: expect.any(String),
      session_id: v.sessionId,
      seq: 1,
      created_at: expect.any(String),
      position: expect.any(Number),
    });
    const second = await post(v.sessionId, { body: "Baris satu\nBaris dua\tdengan tab" }, v.headers);
    expect(second.body.seq).toBe(2);

    const page = await messages(v.sessionId, `min_position=${second.body.position}`, v.headers);
    expect(page.status).toBe(200);
    expect(page.body).toEqual({
      messages: [
        {
          message_id: first.body.message_id,
          seq: 1,
          author_kind: "visitor",
          author_name: null,
          body: "Halo, saya mau tanya izin <b>usaha</b>",
          created_at: first.body.created_at,
        },
        expect.objectContaining({ seq: 2, body: "Baris satu\nBaris dua\tdengan tab" }),
      ],
      next_after_seq: 2,
    });
    const after = await messages(v.sessionId, "after_seq=1&limit=1", v.headers);
    expect(after.body.messages.map((m: { seq: number }) => m.seq)).toEqual([2]);
    expect((await messages(v.sessionId, "after_seq=2", v.headers)).body).toEqual({
      messages: [],
      next_after_seq: 2,
    });
  });

  test("the session detail shows status, assignee, last message time and unread count", async () => {
    const v = await startVisitorChat(svc);
    const m = await post(v.sessionId, { body: "Halo" }, v.headers);
    const detail = await svc.get(
      `/api/oss-chat/session/${v.sessionId}?min_position=${m.body.position}`,
      v.headers,
    );
    expect(detail.body).toMatchObject({
      status: "waiting",
      assigned_agent: null,
      last_message_at: m.body.created_at,
      unread_for_visitor: 0,
    });
  });

  test("a logged-in OSS user posts in their own session", async () => {
    const oss = `OSS-${randomUUID()}`;
    const headers = await asOssUser(oss, "pemohon@example.co.id");
    const start = await svc.post("/api/oss-chat/start", { topic: "NIB" }, headers);
    expect(start.status).toBe(201);
    const m = await post(start.body.session_id, { body: "Selamat pagi" }, headers);
    expect(m.status).toBe(201);
    expect(m.body.seq).toBe(1);
  });

  test("the same client_message_id again is 200 with the first message, and nothing is appended", async () => {
    const v = await startVisitorChat(svc);
    const client_message_id = randomUUID();
    const first = await post(v.sessionId, { client_message_id, body: "Sekali saja" }, v.headers);
    expect(first.status).toBe(201);
    const again = await post(v.sessionId, { client_message_id, body: "Sekali saja" }, v.headers);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({
      message_id: first.body.message_id,
      seq: 1,
      created_at: first.body.created_at,
    });
    const events = await svc.database.store.readStream(`chatSession-${v.sessionId}`);
    expect(events.filter((e) => e.type === "ChatMessagePosted")).toHaveLength(1);
  });
});

describe("concurrency", () => {
  test("twenty concurrent posts take seq 1..20 without gaps or repeats", async () => {
    const v = await startVisitorChat(svc);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => post(v.sessionId, { body: `pesan ${i}` }, v.headers)),
    );
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(201));
    expect(results.map((r) => r.body.seq).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
    const last = Math.max(...results.map((r) => r.body.position));
    const page = await messages(v.sessionId, `min_position=${last}`, v.headers);
    expect(page.body.messages.map((m: { seq: number }) => m.seq)).toEqual(
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
  });

  test("ten concurrent retries of one client_message_id append one message", async () => {
    const v = await startVisitorChat(svc);
    await post(v.sessionId, { body: "sebelum" }, v.headers);
    const client_message_id = randomUUID();
    const results = await Promise.all(
      Array.from({ length: 10 }, () => post(v.sessionId, { client_message_id, body: "ulang" }, v.headers)),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.status === 200)).toHaveLength(9);
    expect(new Set(results.map((r) => r.body.message_id)).size).toBe(1);
    expect(new Set(results.map((r) => r.body.seq))).toEqual(new Set([2]));
    const events = await svc.database.store.readStream(`chatSession-${v.sessionId}`);
    expect(events.filter((e) => e.type === "ChatMessagePosted")).toHaveLength(2);
  });
});

describe("bad input and access", () => {
  test("bad bodies are 400 naming the field, and nothing is appended", async () => {
    const v = await startVisitorChat(svc);
    const cases: [unknown, string][] = [
      [{ body: "" }, "body"],
      [{ body: "   " }, "body"],
      [{ body: "x".repeat(4001) }, "body"],
      [{ body: "bel\u0007l" }, "body"],
      [{ body: "nul\u0000" }, "body"],
      [{ body: 42 }, "body"],
      [{ body: "ok", client_message_id: "not-a-uuid" }, "client_message_id"],
    ];
    for (const [body, field] of cases) {
      const r = await post(v.sessionId, body, v.headers);
      expect(r.status).toBe(400);
      expect(r.body.details.map((d: { field: string }) => d.field)).toContain(field);
    }
    const noSession = await svc.post("/api/oss-chat/message", { body: "x" }, v.headers);
    expect(noSession.status).toBe(400);
    expect(noSession.body.details[0].field).toBe("session_id");
    expect((await post(v.sessionId, { body: "😀".repeat(4000) }, v.headers)).status).toBe(201);
    const events = await svc.database.store.readStream(`chatSession-${v.sessionId}`);
    expect(events.filter((e) => e.type === "ChatMessagePosted")).toHaveLength(1);
  });

  test("after_seq and up_to_seq stop at the 32-bit column's bound, as the document says: 400 naming the field", async () => {
    const v = await startVisitorChat(svc);
    const agent = await staffKey(svc, "agent");
    const doc = (await svc.get("/openapi.json")).body;
    for (const path of ["/api/oss-chat/session/{id}/messages", "/api/agent/sessions/{id}/messages"]) {
      const param = doc.paths[path].get.parameters.find((p: { name?: string }) => p.name === "after_seq");
      expect(param.schema).toMatchObject({ type: "integer", minimum: 0, maximum: 2_147_483_647 });
    }
    const lists = [
      (q: string) => messages(v.sessionId, q, v.headers),
      (q: string) => svc.get(`/api/agent/sessions/${v.sessionId}/messages?${q}`, agent.headers),
    ];
    for (const list of lists) {
      const top = await list("after_seq=2147483647");
      expect(top.status).toBe(200);
      expect(top.body).toEqual({ messages: [], next_after_seq: 2_147_483_647 });
      for (const over of ["2147483648", "9007199254740991", "1e300"]) {
        const r = await list(`after_seq=${over}`);
        expect([over, r.status]).toEqual([over, 400]);
        expect(new Set(r.body.details.map((d: { field: string }) => d.field))).toEqual(
          new Set(["after_seq"]),
        );
      }
    }
    const read = await svc.post(
      `/api/oss-chat/session/${v.sessionId}/read`,
      { up_to_seq: 2 ** 31 },
      v.headers,
    );
    expect(read.status).toBe(400);
    expect(read.body.details[0].field).toBe("up_to_seq");
  });

  test("unknown and foreign sessions are 404; no credential is 401; staff keys are 403", async () => {
    const v = await startVisitorChat(svc);
    const stranger = asBrowser(randomUUID());
    expect((await post(randomUUID(), { body: "x" }, v.headers)).status).toBe(404);
    expect((await post(v.sessionId, { body: "x" }, stranger)).status).toBe(404);
    expect((await messages(v.sessionId, `min_position=${v.position}`, stranger)).status).toBe(404);
    expect((await messages(randomUUID(), "", v.headers)).status).toBe(404);
    expect((await post(v.sessionId, { body: "x" }, {})).status).toBe(401);
    expect((await messages(v.sessionId, "", {})).status).toBe(401);
    for (const role of ["auditor", "ops", "agent"] as const) {
      const staff = await staffKey(svc, role);
      expect((await post(v.sessionId, { body: "x" }, staff.headers)).status).toBe(403);
    }
    const auditor = await staffKey(svc, "auditor");
    expect((await messages(v.sessionId, "", auditor.headers)).status).toBe(403);
    const agent = await staffKey(svc, "agent");
    expect((await messages(v.sessionId, `min_position=${v.position}`, agent.headers)).status).toBe(200);
    expect((await messages(v.sessionId, "after_seq=-1", v.headers)).status).toBe(400);
    expect((await messages(v.sessionId, "limit=0", v.headers)).status).toBe(400);
  });
});
