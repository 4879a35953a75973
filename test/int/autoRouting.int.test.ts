import { put, type Staff, staffKey, startVisitorChat } from "../support/conversation";
import { waitFor } from "../support/readModel";
import { startTestService, type TestService } from "../support/testService";

let svc: TestService;
let dewi: Staff;
let budi: Staff;
beforeAll(async () => {
  svc = await startTestService({ ROUTING: "auto", MAX_CHATS_PER_AGENT: "2", ROUTING_INTERVAL_MS: "200" });
  dewi = await staffKey(svc, "agent", "Dewi");
  budi = await staffKey(svc, "agent", "Budi");
});
afterAll(async () => svc.stop());

const assignees = async (ids: string[]) => {
  const rows = await svc.database.knex
    .table("chat_sessions")
    .whereIn("id", ids)
    .select("id", "assigned_agent_id", "status");
  return new Map(rows.map((r) => [r.id as string, r.assigned_agent_id as string | null]));
};

describe("ROUTING=auto", () => {
  test("new chats go to the least busy available agent below the limit; the rest wait until one frees up", async () => {
    // Nobody available: a new chat stays queued.
    const first = await startVisitorChat(svc, { priority: "urgent" });
    await new Promise((r) => setTimeout(r, 500));
    expect((await assignees([first.sessionId])).get(first.sessionId)).toBeNull();

    expect((await put(svc, "/api/agent/status", { status: "available" }, dewi.headers)).status).toBe(200);
    await waitFor(async () => (await assignees([first.sessionId])).get(first.sessionId) === dewi.id);
    expect((await put(svc, "/api/agent/status", { status: "available" }, budi.headers)).status).toBe(200);

    const more = [];
    for (let i = 0; i < 4; i++) more.push(await startVisitorChat(svc));
    const ids = more.map((v) => v.sessionId);
    // Dewi has 1, Budi 0, limit 2: three more fit (Budi, then either, then the other); one waits.
    await waitFor(async () => [...(await assignees(ids)).values()].filter((a) => a !== null).length === 3);
    await new Promise((r) => setTimeout(r, 400));
    const now = await assignees([first.sessionId, ...ids]);
    const counts = (agent: string) => [...now.values()].filter((a) => a === agent).length;
    expect(counts(dewi.id)).toBe(2);
    expect(counts(budi.id)).toBe(2);
    const waiting = ids.find((id) => now.get(id) === null) as string;
    expect(waiting).toBeDefined();
    const queue = await svc.get("/api/agent/queue", dewi.headers);
    expect(queue.body.sessions.map((s: { session_id: string }) => s.session_id)).toEqual([waiting]);

    // Dewi closes one: the waiting chat goes to her.
    const closed = await svc.post(`/api/agent/sessions/${first.sessionId}/close`, {}, dewi.headers);
    expect(closed.status).toBe(200);
    await waitFor(async () => (await assignees([waiting])).get(waiting) === dewi.id);

    const events = await svc.database.store.readStream(`chatSession-${waiting}`);
    expect(events.find((e) => e.type === "ChatSessionAssigned")).toMatchObject({
      data: { agent_id: dewi.id, agent_name: "Dewi", reason: "auto", from_agent_id: null },
      metadata: { actor: { kind: "system", id: "auto-routing" } },
    });
  });

  test("an away agent gets no chats", async () => {
    await put(svc, "/api/agent/status", { status: "away" }, dewi.headers);
    await put(svc, "/api/agent/status", { status: "away" }, budi.headers);
    const sari = await staffKey(svc, "agent", "Sari");
    const v = await startVisitorChat(svc);
    await new Promise((r) => setTimeout(r, 500));
    expect((await assignees([v.sessionId])).get(v.sessionId)).toBeNull();
    await put(svc, "/api/agent/status", { status: "available" }, sari.headers);
    await waitFor(async () => (await assignees([v.sessionId])).get(v.sessionId) === sari.id);
  });
});
