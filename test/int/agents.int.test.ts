import { randomUUID } from "node:crypto";
import { revokeStaffKey } from "../../src/auth/staffKeys";
import { put, type Staff, staffKey, startVisitorChat } from "../support/conversation";
import { asBrowser, asOssUser } from "../support/identity";
import { startTestService, type TestService } from "../support/testService";

let svc: TestService;
let dewi: Staff;
let budi: Staff;
beforeAll(async () => {
  svc = await startTestService();
  dewi = await staffKey(svc, "agent", "Dewi");
  budi = await staffKey(svc, "agent", "Budi");
});
afterAll(async () => svc.stop());

const claim = (sessionId: string, agent: Staff) =>
  svc.post(`/api/agent/sessions/${sessionId}/claim`, {}, agent.headers);
const agentPost = (sessionId: string, body: unknown, agent: Staff) =>
  svc.post(`/api/agent/sessions/${sessionId}/messages`, body, agent.headers);
const detail = (sessionId: string, position: number, headers: Record<string, string>) =>
  svc.get(`/api/oss-chat/session/${sessionId}?min_position=${position}`, headers);

describe("an agent's conversation", () => {
  test("queue → claim → chat both ways → read receipts → transfer → close → rating", async () => {
    const v = await startVisitorChat(svc, { topic: "Perizinan", priority: "high" });
    const hello = await svc.post(
      "/api/oss-chat/message",
      { session_id: v.sessionId, body: "Halo" },
      v.headers,
    );
    await detail(v.sessionId, hello.body.position, v.headers);

    const queue = await svc.get("/api/agent/queue", dewi.headers);
    expect(queue.status).toBe(200);
    expect(queue.body.sessions).toContainEqual({
      session_id: v.sessionId,
      topic: "Perizinan",
      priority: "high",
      created_at: expect.any(String),
    });

    const claimed = await claim(v.sessionId, dewi);
    expect(claimed.status).toBe(200);
    expect(claimed.body).toMatchObject({ status: "active", assigned_agent: { id: dewi.id, name: "Dewi" } });
    expect(typeof claimed.body.position).toBe("number");
    const again = await claim(v.sessionId, dewi);
    expect(again.status).toBe(200);
    expect((await claim(v.sessionId, budi)).status).toBe(409);

    const reply = await agentPost(v.sessionId, { body: "Selamat siang, ada yang bisa dibantu?" }, dewi);
    expect(reply.status).toBe(201);
    expect(reply.body).toMatchObject({ session_id: v.sessionId, seq: 2 });
    expect((await agentPost(v.sessionId, { body: "Saya juga" }, budi)).status).toBe(409);

    const seen = await detail(v.sessionId, reply.body.position, v.headers);
    expect(seen.body).toMatchObject({
      status: "active",
      assigned_agent: { id: dewi.id, name: "Dewi" },
      last_message_at: reply.body.created_at,
      unread_for_visitor: 1,
    });
    const history = await svc.get(`/api/agent/sessions/${v.sessionId}/messages?after_seq=0`, dewi.headers);
    expect(history.body.messages).toMatchObject([
      { seq: 1, author_kind: "visitor", body: "Halo" },
      { seq: 2, author_kind: "agent", author_name: "Dewi", body: "Selamat siang, ada yang bisa dibantu?" },
    ]);

    const mine = await svc.get("/api/agent/sessions?status=active", dewi.headers);
    expect(mine.body.sessions).toContainEqual(
      expect.objectContaining({ session_id: v.sessionId, unread_for_agent: 1 }),
    );
    const agentRead = await svc.post(
      `/api/agent/sessions/${v.sessionId}/read`,
      { up_to_seq: 2 },
      dewi.headers,
    );
    expect(agentRead.status).toBe(200);
    const visitorRead = await svc.post(
      `/api/oss-chat/session/${v.sessionId}/read`,
      { up_to_seq: 2 },
      v.headers,
    );
    expect(visitorRead.status).toBe(200);
    expect((await detail(v.sessionId, visitorRead.body.position, v.headers)).body.unread_for_visitor).toBe(0);
    const mineAfter = await svc.get(
      `/api/agent/sessions?status=active&min_position=${agentRead.body.position}`,
      dewi.headers,
    );
    expect(
      mineAfter.body.sessions.find((s: { session_id: string }) => s.session_id === v.sessionId),
    ).toMatchObject({ unread_for_agent: 0 });

    expect(
      (await svc.post(`/api/agent/sessions/${v.sessionId}/transfer`, { to_agent_id: budi.id }, budi.headers))
        .status,
    ).toBe(409);
    expect((await put(svc, "/api/agent/status", { status: "available" }, budi.headers)).status).toBe(200);
    const moved = await svc.post(
      `/api/agent/sessions/${v.sessionId}/transfer`,
      { to_agent_id: budi.id },
      dewi.headers,
    );
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ status: "active", assigned_agent: { id: budi.id, name: "Budi" } });
    expect((await agentPost(v.sessionId, { body: "lagi" }, dewi)).status).toBe(409);
    expect((await agentPost(v.sessionId, { body: "Saya lanjutkan" }, budi)).status).toBe(201);

    const early = await svc.post(`/api/oss-chat/session/${v.sessionId}/rating`, { score: 5 }, v.headers);
    expect(early.status).toBe(409);
    expect((await svc.post(`/api/agent/sessions/${v.sessionId}/close`, {}, dewi.headers)).status).toBe(409);
    const closed = await svc.post(`/api/agent/sessions/${v.sessionId}/close`, {}, budi.headers);
    expect(closed.status).toBe(200);
    expect(closed.body).toMatchObject({ status: "closed" });
    const closedAgain = await svc.post(`/api/oss-chat/session/${v.sessionId}/close`, {}, v.headers);
    expect(closedAgain.status).toBe(200);
    expect(closedAgain.body.status).toBe("closed");

    expect((await agentPost(v.sessionId, { body: "tutup" }, budi)).status).toBe(409);
    const late = await svc.post(
      "/api/oss-chat/message",
      { session_id: v.sessionId, body: "masih?" },
      v.headers,
    );
    expect(late.status).toBe(409);

    expect(
      (await svc.post(`/api/oss-chat/session/${v.sessionId}/rating`, { score: 3 }, v.headers)).status,
    ).toBe(201);
    const rated = await svc.post(
      `/api/oss-chat/session/${v.sessionId}/rating`,
      { score: 5, comment: "Sangat membantu" },
      v.headers,
    );
    expect(rated.status).toBe(201);
    await detail(v.sessionId, rated.body.position, v.headers);
    const row = await svc.database.knex.table("chat_sessions").where({ id: v.sessionId }).first();
    expect(row).toMatchObject({ status: "closed", rating_score: 5, rating_comment: "Sangat membantu" });
    const types = (await svc.database.store.readStream(`chatSession-${v.sessionId}`)).map((e) => e.type);
    expect(types.filter((t) => t === "ChatSessionClosed")).toHaveLength(1);
    expect(types.filter((t) => t === "ChatSessionAssigned")).toHaveLength(2);
  });

  test("the queue orders urgent > high > normal > low, then oldest first, and drops claimed sessions", async () => {
    const low = await startVisitorChat(svc, { priority: "low" });
    const urgent = await startVisitorChat(svc, { priority: "urgent" });
    const normal1 = await startVisitorChat(svc, { priority: "normal" });
    const normal2 = await startVisitorChat(svc, { priority: "normal" });
    const taken = await startVisitorChat(svc, { priority: "urgent" });
    const c = await claim(taken.sessionId, dewi);
    await detail(taken.sessionId, c.body.position, taken.headers);
    await detail(normal2.sessionId, normal2.position, normal2.headers);
    const queue = await svc.get("/api/agent/queue", budi.headers);
    const ours = [low, urgent, normal1, normal2, taken].map((v) => v.sessionId);
    const order = queue.body.sessions
      .map((s: { session_id: string }) => s.session_id)
      .filter((id: string) => ours.includes(id));
    expect(order).toEqual([urgent.sessionId, normal1.sessionId, normal2.sessionId, low.sessionId]);
  });

  test("twenty agents claiming one session at once: exactly one wins", async () => {
    const v = await startVisitorChat(svc);
    const agents = await Promise.all(
      Array.from({ length: 20 }, (_, i) => staffKey(svc, "agent", `Agen ${i}`)),
    );
    const results = await Promise.all(agents.map((a) => claim(v.sessionId, a)));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409)).toHaveLength(19);
    const events = await svc.database.store.readStream(`chatSession-${v.sessionId}`);
    expect(events.filter((e) => e.type === "ChatSessionAssigned")).toHaveLength(1);
  });

  test("a claim beyond MAX_CHATS_PER_AGENT active chats is 409 agent_at_capacity; closing one frees a place", async () => {
    const busy = await staffKey(svc, "agent", "Rina");
    const sessions = [];
    for (let i = 0; i < 6; i++) sessions.push(await startVisitorChat(svc));
    for (const v of sessions.slice(0, 5)) {
      const claimed = await claim(v.sessionId, busy);
      expect(claimed.status).toBe(200);
      // The count is the read model's: wait until it shows this claim.
      await svc.get(`/api/agent/sessions?min_position=${claimed.body.position}`, busy.headers);
    }
    const sixth = sessions[5]?.sessionId as string;
    const refused = await claim(sixth, busy);
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe("agent_at_capacity");
    expect((await svc.database.store.readStream(`chatSession-${sixth}`)).map((e) => e.type)).toEqual([
      "ChatSessionStarted",
    ]);
    // Its own chats stay its own: claiming one again is still 200.
    expect((await claim(sessions[0]?.sessionId as string, busy)).status).toBe(200);
    const closed = await svc.post(`/api/agent/sessions/${sessions[0]?.sessionId}/close`, {}, busy.headers);
    await svc.get(`/api/agent/sessions?min_position=${closed.body.position}`, busy.headers);
    expect((await claim(sixth, busy)).status).toBe(200);
  });

  test("a transfer to an agent who is away (or never said available) is 409 agent_unavailable; unknown: 404", async () => {
    const from = await staffKey(svc, "agent", "Tono");
    const to = await staffKey(svc, "agent", "Wati");
    const v = await startVisitorChat(svc);
    expect((await claim(v.sessionId, from)).status).toBe(200);
    const transfer = () =>
      svc.post(`/api/agent/sessions/${v.sessionId}/transfer`, { to_agent_id: to.id }, from.headers);
    const never = await transfer();
    expect(never.status).toBe(409);
    expect(never.body.code).toBe("agent_unavailable");
    expect((await put(svc, "/api/agent/status", { status: "available" }, to.headers)).status).toBe(200);
    expect((await put(svc, "/api/agent/status", { status: "away" }, to.headers)).status).toBe(200);
    const away = await transfer();
    expect([away.status, away.body.code]).toEqual([409, "agent_unavailable"]);
    const unknown = await svc.post(
      `/api/agent/sessions/${v.sessionId}/transfer`,
      { to_agent_id: randomUUID() },
      from.headers,
    );
    expect([unknown.status, unknown.body.code]).toEqual([404, "agent_not_found"]);
    expect(
      (await svc.database.store.readStream(`chatSession-${v.sessionId}`)).filter(
        (e) => e.type === "ChatSessionAssigned",
      ),
    ).toHaveLength(1);
    expect((await put(svc, "/api/agent/status", { status: "available" }, to.headers)).status).toBe(200);
    const moved = await transfer();
    expect(moved.status).toBe(200);
    expect(moved.body.assigned_agent).toEqual({ id: to.id, name: "Wati" });
  });

  test("an agent sets its status; the same status again changes nothing", async () => {
    const agent = await staffKey(svc, "agent", "Sari");
    const r = await put(svc, "/api/agent/status", { status: "available" }, agent.headers);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ agent_id: agent.id, status: "available" });
    expect((await put(svc, "/api/agent/status", { status: "available" }, agent.headers)).status).toBe(200);
    expect((await put(svc, "/api/agent/status", { status: "away" }, agent.headers)).status).toBe(200);
    const events = await svc.database.store.readStream(`agent-${agent.id}`);
    expect(events.map((e) => [e.type, e.data])).toEqual([
      ["AgentStatusChanged", { agent_id: agent.id, agent_name: "Sari", status: "available" }],
      ["AgentStatusChanged", { agent_id: agent.id, agent_name: "Sari", status: "away" }],
    ]);
    const bad = await put(svc, "/api/agent/status", { status: "busy" }, agent.headers);
    expect(bad.status).toBe(400);
    expect(bad.body.details[0].field).toBe("status");
  });
});

describe("bad input and access on agent routes", () => {
  test("bad input is 400 naming the field; unknown sessions and agents are 404", async () => {
    const v = await startVisitorChat(svc);
    await claim(v.sessionId, dewi);
    const cases: [string, unknown, string][] = [
      [`/api/agent/sessions/${v.sessionId}/messages`, { body: "" }, "body"],
      [`/api/agent/sessions/${v.sessionId}/messages`, { body: "y".repeat(4001) }, "body"],
      [`/api/agent/sessions/${v.sessionId}/messages`, { body: "esc\u001b[31m" }, "body"],
      [`/api/agent/sessions/${v.sessionId}/transfer`, { to_agent_id: "budi" }, "to_agent_id"],
      [`/api/agent/sessions/${v.sessionId}/read`, { up_to_seq: -1 }, "up_to_seq"],
      ["/api/agent/sessions/not-a-uuid/claim", {}, "id"],
    ];
    for (const [path, body, field] of cases) {
      const r = await svc.post(path, body, dewi.headers);
      expect(r.status).toBe(400);
      expect(r.body.details.map((d: { field: string }) => d.field)).toContain(field);
    }
    expect((await claim(randomUUID(), dewi)).status).toBe(404);
    expect((await agentPost(randomUUID(), { body: "x" }, dewi)).status).toBe(404);
    expect((await svc.get(`/api/agent/sessions/${randomUUID()}/messages`, dewi.headers)).status).toBe(404);
    const toNobody = await svc.post(
      `/api/agent/sessions/${v.sessionId}/transfer`,
      { to_agent_id: randomUUID() },
      dewi.headers,
    );
    expect(toNobody.status).toBe(404);
    const auditor = await staffKey(svc, "auditor");
    const toAuditor = await svc.post(
      `/api/agent/sessions/${v.sessionId}/transfer`,
      { to_agent_id: auditor.id },
      dewi.headers,
    );
    expect(toAuditor.status).toBe(404);
    expect((await svc.get("/api/agent/sessions?status=open", dewi.headers)).status).toBe(400);
  });

  test("no key, a visitor's credential, an auditor or ops key, a revoked agent key: 401/403", async () => {
    const v = await startVisitorChat(svc);
    const auditor = await staffKey(svc, "auditor");
    const ops = await staffKey(svc, "ops");
    const revoked = await staffKey(svc, "agent");
    await revokeStaffKey(svc.database.knex, revoked.id);
    const oss = await asOssUser(`OSS-${randomUUID()}`, "x@example.co.id");
    const routes: [string, string, unknown][] = [
      ["GET", "/api/agent/queue", undefined],
      ["GET", "/api/agent/sessions", undefined],
      ["POST", `/api/agent/sessions/${v.sessionId}/claim`, {}],
      ["POST", `/api/agent/sessions/${v.sessionId}/messages`, { body: "x" }],
      ["GET", `/api/agent/sessions/${v.sessionId}/messages`, undefined],
      ["POST", `/api/agent/sessions/${v.sessionId}/transfer`, { to_agent_id: dewi.id }],
      ["POST", `/api/agent/sessions/${v.sessionId}/close`, {}],
      ["POST", `/api/agent/sessions/${v.sessionId}/read`, { up_to_seq: 1 }],
      ["PUT", "/api/agent/status", { status: "available" }],
    ];
    for (const [method, path, body] of routes) {
      const send = (headers: Record<string, string>) =>
        method === "GET"
          ? svc.get(path, headers)
          : method === "PUT"
            ? put(svc, path, body, headers)
            : svc.post(path, body, headers);
      expect([path, (await send({})).status]).toEqual([path, 401]);
      expect([path, (await send(asBrowser(v.browser))).status]).toEqual([path, 401]);
      expect([path, (await send(oss)).status]).toEqual([path, 401]);
      expect([path, (await send(revoked.headers)).status]).toEqual([path, 401]);
      expect([path, (await send(auditor.headers)).status]).toEqual([path, 403]);
      expect([path, (await send(ops.headers)).status]).toEqual([path, 403]);
    }
    const events = await svc.database.store.readStream(`chatSession-${v.sessionId}`);
    expect(events.map((e) => e.type)).toEqual(["ChatSessionStarted"]);
  });

  test("visitor routes refuse foreign sessions (404) and bad ratings (400)", async () => {
    const v = await startVisitorChat(svc);
    const stranger = asBrowser(randomUUID());
    for (const path of ["close", "rating", "read"]) {
      const body = path === "rating" ? { score: 4 } : path === "read" ? { up_to_seq: 1 } : {};
      expect((await svc.post(`/api/oss-chat/session/${v.sessionId}/${path}`, body, stranger)).status).toBe(
        404,
      );
      expect((await svc.post(`/api/oss-chat/session/${randomUUID()}/${path}`, body, v.headers)).status).toBe(
        404,
      );
      expect((await svc.post(`/api/oss-chat/session/${v.sessionId}/${path}`, body, {})).status).toBe(401);
    }
    for (const [body, field] of [
      [{ score: 0 }, "score"],
      [{ score: 6 }, "score"],
      [{ score: 4.5 }, "score"],
      [{ score: "5" }, "score"],
      [{ score: 5, comment: "c".repeat(1001) }, "comment"],
    ] as const) {
      const r = await svc.post(`/api/oss-chat/session/${v.sessionId}/rating`, body, v.headers);
      expect(r.status).toBe(400);
      expect(r.body.details[0].field).toBe(field);
    }
  });
});
