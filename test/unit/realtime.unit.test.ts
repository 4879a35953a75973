import type { IncomingMessage } from "node:http";
import { eventTypes } from "../../src/events/chatEvents";
import { clientIp } from "../../src/realtime/clientIp";
import { createCounter, createTokenBucket } from "../../src/realtime/limits";
import { type LoggedEvent, liveEventTypes, noticeOf, sessionViewOf } from "../../src/realtime/notices";
import type { MessageView } from "../../src/realtime/protocol";
import { authFrame, clientFrame, frameLabel, parseJsonFrame } from "../../src/realtime/protocol";
import { createSequencer } from "../../src/realtime/sequencer";
import { originAllowed } from "../../src/realtime/server";

const SESSION = "6f1c1f44-8a7e-4c36-9d43-0b6c4e3f8a11";
const msg = (seq: number): MessageView => ({
  message_id: `00000000-0000-4000-8000-${String(seq).padStart(12, "0")}`,
  seq,
  author_kind: "visitor",
  author_name: null,
  body: `m${seq}`,
  created_at: "2026-01-01T00:00:00.000Z",
});
const seqs = (ms: readonly MessageView[]) => ms.map((m) => m.seq);

describe("sequencer: each seq once, in order, across backlog and live", () => {
  it("holds live messages while the backlog is read, then sends backlog and held ones without duplicates", () => {
    const s = createSequencer(2);
    expect(s.live(msg(5)).send).toEqual([]);
    expect(s.live(msg(6)).send).toEqual([]);
    const out = s.backlog([msg(3), msg(4), msg(5)]);
    expect(seqs(out.send)).toEqual([3, 4, 5, 6]);
    expect(out.refill).toBe(false);
    expect(s.lastSeq).toBe(6);
  });

  it("drops live messages at or below the last sent seq (redelivery, overlap with the backlog)", () => {
    const s = createSequencer(0);
    s.backlog([msg(1), msg(2)]);
    expect(seqs(s.live(msg(2)).send)).toEqual([]);
    expect(seqs(s.live(msg(1)).send)).toEqual([]);
    expect(seqs(s.live(msg(3)).send)).toEqual([3]);
    expect(seqs(s.live(msg(3)).send)).toEqual([]);
  });

  it("skips what the subscriber has already seen", () => {
    const s = createSequencer(4);
    expect(seqs(s.backlog([msg(3), msg(4), msg(5)]).send)).toEqual([5]);
  });

  it("holds a live message past a gap and asks for a re-read, then fills it in order", () => {
    const s = createSequencer(0);
    s.backlog([msg(1)]);
    const gap = s.live(msg(3));
    expect(gap).toEqual({ send: [], refill: true });
    expect(s.loading).toBe(true);
    expect(seqs(s.backlog([msg(2), msg(3)]).send)).toEqual([2, 3]);
    expect(seqs(s.live(msg(4)).send)).toEqual([4]);
  });

  it("sends the backlog in seq order whatever order it came in", () => {
    expect(seqs(createSequencer(0).backlog([msg(3), msg(1), msg(2)]).send)).toEqual([1, 2, 3]);
  });
});

const at = "2026-01-01T00:00:00.000Z";
const ev = (type: string, data: unknown): LoggedEvent => ({ type, data, metadata: { occurred_at: at } });
const AGENT = "5d7a1c2e-3b4f-4a6d-8e9f-0a1b2c3d4e5f";

describe("notices from events", () => {
  it("come only from the live event types, the ones the follower opens", () => {
    // Anything in the data: a type outside the set must give no notice whatever it holds.
    const data = { session_id: SESSION, topic: "t", priority: "normal", agent_id: AGENT, agent_name: "A" };
    for (const type of eventTypes.filter((t) => !liveEventTypes.has(t))) {
      expect(noticeOf(ev(type, data))).toBeNull();
    }
    for (const type of liveEventTypes) expect(eventTypes).toContain(type);
  });

  it("reads each event type the sockets watch, and ignores the rest", () => {
    const posted = ev("ChatMessagePosted", {
      session_id: SESSION,
      message_id: msg(1).message_id,
      seq: 1,
      client_message_id: null,
      author_kind: "agent",
      author_id: AGENT,
      author_name: "Budi",
      body: "Halo",
    });
    expect(noticeOf(posted)).toEqual({
      kind: "message",
      sessionId: SESSION,
      message: { ...msg(1), author_kind: "agent", author_name: "Budi", body: "Halo" },
    });
    const assigned = ev("ChatSessionAssigned", {
      session_id: SESSION,
      agent_id: AGENT,
      agent_name: "Budi",
      reason: "claim",
      from_agent_id: null,
    });
    expect(noticeOf(assigned)).toEqual({
      kind: "assigned",
      sessionId: SESSION,
      agent: { id: AGENT, name: "Budi" },
    });
    expect(noticeOf(ev("ChatSessionClosed", { session_id: SESSION }))).toEqual({
      kind: "closed",
      sessionId: SESSION,
    });
    const started = ev("ChatSessionStarted", {
      session_id: SESSION,
      chat_user_id: AGENT,
      topic: "Izin",
      priority: "high",
      channel: "web",
    });
    expect(noticeOf(started)).toEqual({
      kind: "queued",
      sessionId: SESSION,
      topic: "Izin",
      priority: "high",
    });
    expect(noticeOf(ev("ChatSessionContactSet", { session_id: SESSION }))).toBeNull();
    expect(noticeOf(ev("ChatMessagePosted", { session_id: SESSION }))).toBeNull();
  });

  it("folds a session stream into owner, messages, status, assignee and read receipts", () => {
    const read = (reader_kind: string, up_to_seq: number) =>
      ev("ChatMessagesRead", { session_id: SESSION, reader_kind, reader_id: "r", up_to_seq });
    const view = sessionViewOf([
      ev("ChatSessionStarted", { session_id: SESSION, chat_user_id: AGENT, topic: "T", priority: "low" }),
      ev("ChatMessagePosted", { ...msg(1), session_id: SESSION }),
      ev("ChatSessionAssigned", { session_id: SESSION, agent_id: AGENT, agent_name: "Budi" }),
      read("agent", 1),
      read("visitor", 1),
      read("agent", 0), // a receipt never moves back
      ev("ChatSessionClosed", { session_id: SESSION }),
    ]);
    expect(view).toEqual({
      chatUserId: AGENT,
      topic: "T",
      priority: "low",
      status: "closed",
      assignedAgent: { id: AGENT, name: "Budi" },
      lastSeq: 1,
      messages: [msg(1)],
      visitorReadSeq: 1,
      agentReadSeq: 1,
    });
    expect(noticeOf(read("agent", 3))).toEqual({
      kind: "read",
      sessionId: SESSION,
      readerKind: "agent",
      upToSeq: 3,
    });
    expect(sessionViewOf([])).toMatchObject({ status: "none", lastSeq: 0 });
  });
});

describe("frames", () => {
  it("labels a refused frame by its type and session, only when they are a client frame type and a UUID", () => {
    expect(frameLabel({ type: "subscribe", session_id: SESSION, after_seq: 3 })).toEqual({
      frame_type: "subscribe",
      session_id: SESSION,
    });
    expect(frameLabel({ type: "typing", session_id: "not-a-uuid" })).toEqual({ frame_type: "typing" });
    expect(frameLabel({ type: "<script>", session_id: 7 })).toEqual({});
    expect(frameLabel("subscribe")).toEqual({});
    expect(frameLabel(null)).toEqual({});
  });

  it("accepts exactly one credential in an auth frame", () => {
    expect(authFrame.safeParse({ type: "auth", browser_uuid: SESSION }).success).toBe(true);
    expect(authFrame.safeParse({ type: "auth", token: "t" }).success).toBe(true);
    expect(authFrame.safeParse({ type: "auth", staff_key: "lcs_x" }).success).toBe(true);
    expect(authFrame.safeParse({ type: "auth", token: "t", staff_key: "lcs_x" }).success).toBe(false);
    expect(authFrame.safeParse({ type: "auth", browser_uuid: "x" }).success).toBe(false);
    expect(authFrame.safeParse({ type: "auth" }).success).toBe(false);
  });

  it("reads subscribe with after_seq defaulting to 0 and refuses negative or fractional seqs", () => {
    expect(clientFrame.parse({ type: "subscribe", session_id: SESSION })).toEqual({
      type: "subscribe",
      session_id: SESSION,
      after_seq: 0,
    });
    expect(clientFrame.safeParse({ type: "subscribe", session_id: SESSION, after_seq: -1 }).success).toBe(
      false,
    );
    expect(clientFrame.safeParse({ type: "subscribe", session_id: SESSION, after_seq: 1.5 }).success).toBe(
      false,
    );
  });

  it("turns binary and malformed frames into reasons, never exceptions", () => {
    expect(parseJsonFrame(Buffer.from("{"), false)).toEqual({ ok: false, error: "Malformed JSON" });
    expect(parseJsonFrame(Buffer.from("{}"), true).ok).toBe(false);
    expect(parseJsonFrame([Buffer.from('{"a"'), Buffer.from(":1}")], false)).toEqual({
      ok: true,
      frame: { a: 1 },
    });
  });
});

describe("limits", () => {
  it("a token bucket allows the burst, then the rate", () => {
    let now = 0;
    const bucket = createTokenBucket(2, 3, () => now);
    expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, true, false]);
    now = 500;
    expect([bucket.take(), bucket.take()]).toEqual([true, false]);
  });

  it("a counter admits up to its maximum per key and frees on release", () => {
    const c = createCounter(2);
    expect([c.tryAdd("a"), c.tryAdd("a"), c.tryAdd("a"), c.tryAdd("b")]).toEqual([true, true, false, true]);
    c.release("a");
    expect(c.tryAdd("a")).toBe(true);
  });

  it("allows the page's own origin, listed origins, and clients that send none", () => {
    const req = (origin?: string) =>
      ({ headers: { host: "chat.oss.go.id", ...(origin ? { origin } : {}) } }) as IncomingMessage;
    expect(originAllowed(req(), [])).toBe(true);
    expect(originAllowed(req("https://chat.oss.go.id"), [])).toBe(true);
    expect(originAllowed(req("https://oss.go.id"), ["https://oss.go.id"])).toBe(true);
    expect(originAllowed(req("https://evil.example"), ["https://oss.go.id"])).toBe(false);
    expect(originAllowed(req("null"), [])).toBe(false);
    expect(originAllowed(req("https://evil.example"), "*")).toBe(true);
  });
});

describe("client address for the per-IP socket limit", () => {
  const req = (peer: string, xff?: string) =>
    ({
      socket: { remoteAddress: peer },
      headers: xff === undefined ? {} : { "x-forwarded-for": xff },
    }) as unknown as IncomingMessage;

  it("believes X-Forwarded-For only as far as TRUST_PROXY says", () => {
    expect(clientIp(req("::ffff:10.0.0.1", "1.1.1.1"), undefined)).toBe("10.0.0.1");
    expect(clientIp(req("10.0.0.1", "6.6.6.6, 1.1.1.1"), true)).toBe("6.6.6.6");
    expect(clientIp(req("10.0.0.1", "6.6.6.6, 1.1.1.1"), 1)).toBe("1.1.1.1");
    expect(clientIp(req("10.0.0.1", "6.6.6.6, 1.1.1.1"), ["10.0.0.1"])).toBe("1.1.1.1");
    expect(clientIp(req("9.9.9.9", "1.1.1.1"), ["10.0.0.1"])).toBe("9.9.9.9");
    expect(clientIp(req("10.0.0.1"), true)).toBe("10.0.0.1");
  });
});
