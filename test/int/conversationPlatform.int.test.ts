import { randomUUID } from "node:crypto";
import { verifyChains } from "../../src/audit/verifyChains";
import { postMessage } from "../../src/commands/postMessage";
import { anySessionAccess } from "../../src/commands/sessionAccess";
import { conversationDeps } from "../../src/commands/sessionCommand";
import type { EventStore } from "../../src/eventstore/eventStore";
import { rebuildReadModel } from "../../src/ops/rebuild";
import { put, type Staff, staffKey, startVisitorChat, type Visitor } from "../support/conversation";
import { freshReplay, snapshotTables, waitFor } from "../support/readModel";
import { startTestService, type TestService } from "../support/testService";

let svc: TestService;
let agent: Staff;
let auditor: Staff;
let v: Visitor;
const positions: number[] = [];

beforeAll(async () => {
  svc = await startTestService();
  agent = await staffKey(svc, "agent", "Dewi");
  auditor = await staffKey(svc, "auditor");
  await put(svc, "/api/agent/status", { status: "available" }, agent.headers);
  v = await startVisitorChat(svc);
  const say = async (path: string, body: unknown, headers: Record<string, string>) => {
    const r = await svc.post(path, body, headers);
    expect(r.status).toBeLessThan(300);
    positions.push(r.body.position);
    return r;
  };
  await say("/api/oss-chat/message", { session_id: v.sessionId, body: "Halo" }, v.headers);
  await say(`/api/agent/sessions/${v.sessionId}/claim`, {}, agent.headers);
  await say(`/api/agent/sessions/${v.sessionId}/messages`, { body: "Ada yang bisa dibantu?" }, agent.headers);
  await say("/api/oss-chat/message", { session_id: v.sessionId, body: "Soal NIB" }, v.headers);
  await say(`/api/oss-chat/session/${v.sessionId}/read`, { up_to_seq: 3 }, v.headers);
  await say(`/api/agent/sessions/${v.sessionId}/close`, {}, agent.headers);
  await say(`/api/oss-chat/session/${v.sessionId}/rating`, { score: 4, comment: "Baik" }, v.headers);
  // Other sessions with messages, so a replay has more than one to tell apart.
  for (let i = 0; i < 5; i++) {
    const other = await startVisitorChat(svc);
    await Promise.all(
      Array.from({ length: 5 }, (_, j) =>
        svc.post("/api/oss-chat/message", { session_id: other.sessionId, body: `m${j}` }, other.headers),
      ),
    );
  }
  await caughtUp();
});
afterAll(async () => svc.stop());

/**
 * Every stream's last event is applied. (Not "the checkpoint reached the log's end": the end readable now stops
 * below the oldest transaction in flight anywhere on the server, which other tests' databases hold back.)
 */
async function caughtUp() {
  await waitFor(async () => {
    const r = await svc.database.knex.raw(`
      select count(*)::int as behind
      from (select stream_id, max(stream_revision) as revision from events group by stream_id) e
      left join stream_revisions s using (stream_id)
      where s.revision is distinct from e.revision`);
    return r.rows[0].behind === 0;
  });
}

describe("conversations on the platform", () => {
  test("replaying the log from zero rebuilds identical chat_messages, chat_sessions and chat_agents", async () => {
    const live = await snapshotTables(svc.database.knex);
    expect(live.chat_messages).toHaveLength(28);
    expect(live.chat_agents).toHaveLength(1);
    expect(await freshReplay(svc.database, "replay_conversations")).toEqual(live);
    await rebuildReadModel({ knex: svc.database.knex, store: svc.database.store });
    expect(await snapshotTables(svc.database.knex)).toEqual(live);
  });

  test("the hash chain covers the conversation events and verifies", async () => {
    const report = await verifyChains(svc.database.sealedLog, { streamId: `chatSession-${v.sessionId}` });
    expect(report).toMatchObject({ ok: true, events: 8, broken: [] });
    const agentStream = await verifyChains(svc.database.sealedLog, { streamId: `agent-${agent.id}` });
    expect(agentStream).toMatchObject({ ok: true, events: 1 });
    const res = await svc.get("/api/audit/verify", auditor.headers);
    expect(res.body.ok).toBe(true);
  });

  test("the audit export lists every conversation event with who did it", async () => {
    const res = await svc.get(`/api/audit/sessions/${v.sessionId}/events`, auditor.headers);
    expect(res.status).toBe(200);
    const events = res.body.events as { type: string; metadata: { actor: { kind: string } } }[];
    expect(events.map((e) => e.type)).toEqual([
      "ChatSessionStarted",
      "ChatMessagePosted",
      "ChatSessionAssigned",
      "ChatMessagePosted",
      "ChatMessagePosted",
      "ChatMessagesRead",
      "ChatSessionClosed",
      "ChatSessionRated",
    ]);
    expect(events[2]?.metadata.actor).toEqual({ kind: "staff", id: agent.id });
    expect(events[1]?.metadata.actor).toEqual({ kind: "anonymous", id: v.browser });
  });

  test("point-in-time state shows the transcript as it stood then", async () => {
    const atReply = positions[2] as number;
    const res = await svc.get(
      `/api/audit/sessions/${v.sessionId}/state?position=${atReply}`,
      auditor.headers,
    );
    expect(res.status).toBe(200);
    expect(res.body.session).toMatchObject({ status: "active", assigned_agent_name: "Dewi", last_seq: 2 });
    expect(res.body.messages.map((m: { seq: number; body: string }) => [m.seq, m.body])).toEqual([
      [1, "Halo"],
      [2, "Ada yang bisa dibantu?"],
    ]);
    const end = await svc.get(
      `/api/audit/sessions/${v.sessionId}/state?position=${positions.at(-1)}`,
      auditor.headers,
    );
    expect(end.body.session).toMatchObject({ status: "closed", rating_score: 4, visitor_read_seq: 3 });
    expect(end.body.messages).toHaveLength(3);
  });

  test("/metrics times the conversation commands by command, never by session", async () => {
    const ops = await staffKey(svc, "ops");
    const text = String((await svc.get("/metrics", ops.headers)).body);
    for (const command of [
      "PostMessage",
      "ClaimSession",
      "CloseSession",
      "RateSession",
      "MarkRead",
      "SetAgentStatus",
    ]) {
      expect(text).toMatch(
        new RegExp(`livechat_command_duration_seconds_count\\{command="${command}",outcome="ok"\\} [1-9]`),
      );
    }
    expect(text).not.toContain(v.sessionId);
    expect(text).toMatch(/livechat_events_appended_total\{type="ChatMessagePosted"\} [1-9]/);
  });

  test("erasing a visitor blanks their messages in chat_messages, and the chain still verifies", async () => {
    const privacy = await staffKey(svc, "privacy");
    const e = await startVisitorChat(svc);
    const said = await svc.post(
      "/api/oss-chat/message",
      { session_id: e.sessionId, body: "Nama saya Budi, NIK 3174xxxx" },
      e.headers,
    );
    expect(said.status).toBe(201);
    const erased = await svc.post(
      `/api/admin/data-subjects/${e.chatUserId}/erase`,
      { reason: "data_subject_request", reference: "PDP-1" },
      privacy.headers,
    );
    expect(erased.status).toBeLessThan(300);
    await waitFor(async () => {
      const row = await svc.database.knex
        .table("chat_messages")
        .where({ session_id: e.sessionId })
        .first("body");
      return row?.body === "[erased]";
    });
    const log = await svc.database.sealedLog.readStream(`chatSession-${e.sessionId}`);
    expect(JSON.stringify(log.map((ev) => ev.data))).not.toContain("Nama saya Budi");
    const report = await verifyChains(svc.database.sealedLog, { streamId: `chatSession-${e.sessionId}` });
    expect(report.ok).toBe(true);
  });

  test("a command on a long session reads nothing it remembers, and only the events after it when moved", async () => {
    const reads: bigint[] = [];
    const store = svc.database.store;
    const counting: EventStore = {
      ...store,
      readStream: (id, from) => {
        if (id === `chatSession-${long.sessionId}`) reads.push(from ?? 0n);
        return store.readStream(id, from);
      },
    };
    const deps = conversationDeps({ store: counting, newId: randomUUID });
    const long = await startVisitorChat(svc);
    const ctx = {
      actor: { kind: "anonymous" as const, id: long.browser },
      ip: "127.0.0.1",
      userAgent: null,
      correlationId: randomUUID(),
      now: () => new Date(),
    };
    const author = { kind: "visitor" as const, id: long.browser, name: null };
    for (let i = 0; i < 300; i++) {
      await postMessage(deps, { session_id: long.sessionId, body: `m${i}` }, author, ctx, anySessionAccess);
    }
    // The first command reads the stream from 0; the later ones decide on the state the process remembers
    // and read nothing (their appends are checked at its revision).
    expect(reads).toEqual([0n]);
    // Another writer (the service, with its own memory) moves the session: the next command here is refused
    // by the store, reads only the events after the revision it knows, and decides again.
    const other = await svc.post(
      "/api/oss-chat/message",
      { session_id: long.sessionId, body: "dari proses lain" },
      { "x-browser-uuid": long.browser },
    );
    expect(other.body.seq).toBe(301);
    const last = await postMessage(
      deps,
      { session_id: long.sessionId, body: "terakhir" },
      author,
      ctx,
      anySessionAccess,
    );
    expect(last.seq).toBe(302);
    expect(reads).toEqual([0n, 301n]);
    // Every layer of the service's store (encryption, chaining, adapter) reads from the revision it is given.
    const tail = await store.readStream(`chatSession-${long.sessionId}`, 300n);
    expect(tail.map((e) => e.revision)).toEqual([300n, 301n, 302n]);
  });
});
