import { randomUUID } from "node:crypto";
import { revokeStaffKey } from "../../src/auth/staffKeys";
import { put, type Staff, staffKey, startVisitorChat } from "../support/conversation";
import { startTestService, type TestService } from "../support/testService";
import { readySocket } from "../support/wsClient";

// The read endpoints the agent console needs: agents with their load, one's own status, a session's detail
// with read marks and activity, a chat user's sessions, topic search; and read receipts as socket frames.
let svc: TestService;
let ani: Staff;
let budi: Staff;
let citra: Staff;
beforeAll(async () => {
  svc = await startTestService();
  ani = await staffKey(svc, "agent", "Ani");
  budi = await staffKey(svc, "agent", "Budi");
  citra = await staffKey(svc, "agent", "Citra");
});
afterAll(async () => svc.stop());

/**
 * Waits until the read tables show the write at `position` (min_position answers stale after 15 s on a loaded
 * box: ask again until they do).
 */
async function settle(position: number) {
  const until = Date.now() + 120_000;
  for (;;) {
    const r = await svc.get(`/api/agent/queue?min_position=${position}`, ani.headers);
    if (r.headers.get("x-read-model-stale") !== "true" || Date.now() > until) return;
  }
}

const claim = (sessionId: string, agent: Staff) =>
  svc.post(`/api/agent/sessions/${sessionId}/claim`, {}, agent.headers);

describe("GET /api/agent/agents", () => {
  test("every live agent key with availability (away until set) and active chats; available first, then load", async () => {
    const revoked = await staffKey(svc, "agent", "Dodi");
    await revokeStaffKey(svc.database.knex, revoked.id);
    await staffKey(svc, "auditor", "Audit");
    const one = await startVisitorChat(svc);
    const two = await startVisitorChat(svc);
    const three = await startVisitorChat(svc);
    expect((await claim(one.sessionId, budi)).status).toBe(200);
    expect((await claim(two.sessionId, budi)).status).toBe(200);
    const c = await claim(three.sessionId, citra);
    expect((await svc.post(`/api/agent/sessions/${three.sessionId}/close`, {}, citra.headers)).status).toBe(
      200,
    );
    expect((await put(svc, "/api/agent/status", { status: "available" }, budi.headers)).status).toBe(200);
    const away = await put(svc, "/api/agent/status", { status: "available" }, citra.headers);
    expect(away.status).toBe(200);

    await settle(Math.max(c.body.position, away.body.position));
    const list = await svc.get(
      `/api/agent/queue?min_position=${Math.max(c.body.position, away.body.position)}`,
      ani.headers,
    );
    expect(list.status).toBe(200);
    const r = await svc.get("/api/agent/agents", ani.headers);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      agents: [
        { agent_id: citra.id, name: "Citra", status: "available", active_chats: 0 },
        { agent_id: budi.id, name: "Budi", status: "available", active_chats: 2 },
        { agent_id: ani.id, name: "Ani", status: "away", active_chats: 0 },
      ],
    });
    // Bring Citra back to away for the other tests' sake, and check the own status endpoint.
    const back = await put(svc, "/api/agent/status", { status: "away" }, citra.headers);
    await settle(back.body.position);
    await svc.get(`/api/agent/queue?min_position=${back.body.position}`, ani.headers);
    expect((await svc.get("/api/agent/status", citra.headers)).body).toEqual({
      agent_id: citra.id,
      name: "Citra",
      status: "away",
    });
    expect((await svc.get("/api/agent/status", ani.headers)).body).toEqual({
      agent_id: ani.id,
      name: "Ani",
      status: "away",
    });
  });

  test("staff of other roles and visitors are refused", async () => {
    const auditor = await staffKey(svc, "auditor");
    for (const path of [
      "/api/agent/agents",
      "/api/agent/status",
      `/api/agent/users/${randomUUID()}/sessions`,
    ]) {
      expect([path, (await svc.get(path)).status]).toEqual([path, 401]);
      expect([path, (await svc.get(path, auditor.headers)).status]).toEqual([path, 403]);
    }
  });
});

describe("GET /api/agent/sessions/:id", () => {
  test("contact, chat user, read marks of both sides, rating and the activity: claim, transfer, close, rating", async () => {
    const v = await startVisitorChat(svc, { topic: "Izin lokasi", priority: "urgent" });
    await svc.post(
      "/api/oss-chat/contact",
      { session_id: v.sessionId, contact_name: "Rina", contact_email: "rina@example.com" },
      v.headers,
    );
    await svc.post("/api/oss-chat/message", { session_id: v.sessionId, body: "Halo" }, v.headers);
    const claimed = await claim(v.sessionId, ani);
    await svc.post(`/api/agent/sessions/${v.sessionId}/messages`, { body: "Halo juga" }, ani.headers);
    await svc.post(`/api/agent/sessions/${v.sessionId}/read`, { up_to_seq: 1 }, ani.headers);
    const read = await svc.post(`/api/oss-chat/session/${v.sessionId}/read`, { up_to_seq: 2 }, v.headers);
    await settle(read.body.position);
    const active = await svc.get(
      `/api/agent/sessions/${v.sessionId}?min_position=${read.body.position}`,
      budi.headers,
    );
    expect(active.status).toBe(200);
    expect(active.body).toMatchObject({
      session_id: v.sessionId,
      topic: "Izin lokasi",
      priority: "urgent",
      status: "active",
      contact: { contact_name: "Rina", contact_email: "rina@example.com" },
      chat_user: { chat_user_id: v.chatUserId, oss_user_id: null, is_anonymous: true },
      assigned_agent: { id: ani.id, name: "Ani" },
      last_seq: 2,
      visitor_read_seq: 2,
      agent_read_seq: 1,
      closed_at: null,
      rating: null,
      activity: [{ kind: "claimed", agent: { id: ani.id, name: "Ani" }, from_agent_id: null }],
    });
    expect(Date.parse(active.body.activity[0].at)).toBeGreaterThan(0);
    expect(claimed.status).toBe(200);

    await svc.post(`/api/agent/sessions/${v.sessionId}/transfer`, { to_agent_id: budi.id }, ani.headers);
    await svc.post(`/api/agent/sessions/${v.sessionId}/close`, {}, budi.headers);
    const rated = await svc.post(
      `/api/oss-chat/session/${v.sessionId}/rating`,
      { score: 4, comment: "Oke" },
      v.headers,
    );
    await settle(rated.body.position);
    const done = await svc.get(
      `/api/agent/sessions/${v.sessionId}?min_position=${rated.body.position}`,
      ani.headers,
    );
    expect(done.body).toMatchObject({
      status: "closed",
      assigned_agent: { id: budi.id, name: "Budi" },
      closed_at: expect.any(String),
      rating: { score: 4, comment: "Oke" },
      activity: [
        { kind: "claimed", agent: { id: ani.id } },
        { kind: "transferred", agent: { id: budi.id, name: "Budi" }, from_agent_id: ani.id },
        { kind: "closed", by: "agent" },
        { kind: "rated", score: 4 },
      ],
    });
  });

  test("an unknown session is 404, a malformed id 400 naming it", async () => {
    expect((await svc.get(`/api/agent/sessions/${randomUUID()}`, ani.headers)).status).toBe(404);
    const bad = await svc.get("/api/agent/sessions/not-a-uuid", ani.headers);
    expect(bad.status).toBe(400);
    expect(bad.body.details[0].field).toBe("id");
  });
});

describe("a chat user's sessions and the agent's chat lists", () => {
  test("GET /api/agent/users/:id/sessions lists the same visitor's sessions, newest first", async () => {
    const first = await startVisitorChat(svc, { topic: "Pertama" });
    const second = await startVisitorChat(svc, { topic: "Kedua", browser: first.browser });
    await claim(first.sessionId, ani);
    const closed = await svc.post(`/api/agent/sessions/${first.sessionId}/close`, {}, ani.headers);
    await settle(Math.max(closed.body.position, second.position));
    await svc.get(
      `/api/agent/queue?min_position=${Math.max(closed.body.position, second.position)}`,
      ani.headers,
    );
    const r = await svc.get(`/api/agent/users/${first.chatUserId}/sessions`, budi.headers);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ total: 2, limit: 20, offset: 0 });
    expect(r.body.sessions).toMatchObject([
      {
        session_id: second.sessionId,
        topic: "Kedua",
        status: "waiting",
        assigned_agent: null,
        closed_at: null,
      },
      {
        session_id: first.sessionId,
        topic: "Pertama",
        status: "closed",
        assigned_agent: { id: ani.id, name: "Ani" },
        closed_at: expect.any(String),
      },
    ]);
    const page = await svc.get(
      `/api/agent/users/${first.chatUserId}/sessions?limit=1&offset=1`,
      budi.headers,
    );
    expect(page.body.sessions.map((s: { session_id: string }) => s.session_id)).toEqual([first.sessionId]);
    const none = await svc.get(`/api/agent/users/${randomUUID()}/sessions`, budi.headers);
    expect(none.body).toEqual({ sessions: [], total: 0, limit: 20, offset: 0 });
    const bad = await svc.get(`/api/agent/users/${first.chatUserId}/sessions?limit=0`, budi.headers);
    expect(bad.status).toBe(400);
    expect(bad.body.details[0].field).toBe("limit");
  });

  test("the agent's chats carry the contact, the last message and last seq; closed ones are searchable by topic", async () => {
    const agent = await staffKey(svc, "agent", "Eka");
    const a = await startVisitorChat(svc, { topic: "Izin Usaha 100%_mikro" });
    const b = await startVisitorChat(svc, { topic: "Sertifikat halal" });
    await svc.post(
      "/api/oss-chat/contact",
      { session_id: a.sessionId, contact_name: "Tono", contact_email: "tono@example.com" },
      a.headers,
    );
    await claim(a.sessionId, agent);
    await svc.post("/api/oss-chat/message", { session_id: a.sessionId, body: "Pesan satu" }, a.headers);
    const last = await svc.post(
      `/api/agent/sessions/${a.sessionId}/messages`,
      { body: "<i>dua</i>" },
      agent.headers,
    );
    await settle(last.body.position);
    const active = await svc.get(
      `/api/agent/sessions?status=active&min_position=${last.body.position}`,
      agent.headers,
    );
    expect(active.body.sessions).toEqual([
      {
        session_id: a.sessionId,
        topic: "Izin Usaha 100%_mikro",
        priority: "normal",
        status: "active",
        created_at: expect.any(String),
        last_message_at: last.body.created_at,
        unread_for_agent: 1,
        contact_name: "Tono",
        last_seq: 2,
        last_message: { body: "<i>dua</i>", author_kind: "agent", created_at: last.body.created_at },
        closed_at: null,
      },
    ]);

    await claim(b.sessionId, agent);
    await svc.post(`/api/agent/sessions/${a.sessionId}/close`, {}, agent.headers);
    const closed = await svc.post(`/api/agent/sessions/${b.sessionId}/close`, {}, agent.headers);
    await settle(closed.body.position);
    const all = await svc.get(
      `/api/agent/sessions?status=closed&min_position=${closed.body.position}`,
      agent.headers,
    );
    // Newest closed first.
    expect(all.body.sessions.map((s: { session_id: string }) => s.session_id)).toEqual([
      b.sessionId,
      a.sessionId,
    ]);
    expect(all.body.sessions[0]).toMatchObject({
      contact_name: null,
      last_message: null,
      closed_at: expect.any(String),
    });
    const search = async (q: string) =>
      (
        await svc.get(`/api/agent/sessions?status=closed&q=${encodeURIComponent(q)}`, agent.headers)
      ).body.sessions.map((s: { topic: string }) => s.topic);
    expect(await search("usaha")).toEqual(["Izin Usaha 100%_mikro"]);
    expect(await search("HALAL")).toEqual(["Sertifikat halal"]);
    // LIKE's wildcards are taken literally.
    expect(await search("100%_")).toEqual(["Izin Usaha 100%_mikro"]);
    expect(await search("%")).toEqual(["Izin Usaha 100%_mikro"]);
    expect(await search("_")).toEqual(["Izin Usaha 100%_mikro"]);
    expect(await search("izin halal")).toEqual([]);
    const limited = await svc.get("/api/agent/sessions?status=closed&limit=1", agent.headers);
    expect(limited.body.sessions).toHaveLength(1);
    for (const [query, field] of [
      ["q=", "q"],
      [`q=${"x".repeat(201)}`, "q"],
      ["limit=501", "limit"],
      ["limit=abc", "limit"],
    ]) {
      const r = await svc.get(`/api/agent/sessions?status=closed&${query}`, agent.headers);
      expect([query, r.status, r.body.details?.[0]?.field]).toEqual([query, 400, field]);
    }
  });
});

describe("read receipts over the socket", () => {
  test("a read frame reaches the session's subscribers on both sides", async () => {
    const v = await startVisitorChat(svc);
    await claim(v.sessionId, ani);
    await svc.post(`/api/agent/sessions/${v.sessionId}/messages`, { body: "Halo" }, ani.headers);
    const agentSocket = await readySocket(svc.url, "/api/agent/ws", {
      staff_key: ani.headers.authorization?.replace("Bearer ", "") ?? "",
    });
    const visitorSocket = await readySocket(svc.url, "/api/oss-chat/ws", { browser_uuid: v.browser });
    for (const s of [agentSocket, visitorSocket]) {
      s.send({ type: "subscribe", session_id: v.sessionId, after_seq: 0 });
      await s.next((f) => f.type === "subscribed");
    }
    await svc.post(`/api/oss-chat/session/${v.sessionId}/read`, { up_to_seq: 1 }, v.headers);
    const frame = { type: "read", session_id: v.sessionId, reader_kind: "visitor", up_to_seq: 1 };
    expect(await agentSocket.next((f) => f.type === "read")).toEqual(frame);
    expect(await visitorSocket.next((f) => f.type === "read")).toEqual(frame);
    await svc.post("/api/oss-chat/message", { session_id: v.sessionId, body: "Oke" }, v.headers);
    await svc.post(`/api/agent/sessions/${v.sessionId}/read`, { up_to_seq: 2 }, ani.headers);
    expect(await visitorSocket.next((f) => f.type === "read" && f.reader_kind === "agent")).toEqual({
      type: "read",
      session_id: v.sessionId,
      reader_kind: "agent",
      up_to_seq: 2,
    });
    // A new subscription starts from the read marks so far.
    agentSocket.send({ type: "subscribe", session_id: v.sessionId, after_seq: 2 });
    expect(await agentSocket.next((f) => f.type === "subscribed" && f.last_seq === 2)).toMatchObject({
      visitor_read_seq: 1,
      agent_read_seq: 2,
    });
    agentSocket.close();
    visitorSocket.close();
  });
});
