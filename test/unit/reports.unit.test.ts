import type { Fact } from "../../src/events/chatEvents";
import { localParts, nearestRank, summarize, timeFigure } from "../../src/reports/figures";
import { foldSessionFacts, sessionFigures } from "../../src/reports/sessionFacts";

const S = "00000000-0000-4000-8000-000000000001";
const U = "00000000-0000-4000-8000-0000000000aa";
const A1 = "00000000-0000-4000-8000-0000000000b1";
const A2 = "00000000-0000-4000-8000-0000000000b2";
const at = (s: number) => new Date(Date.UTC(2026, 0, 5, 16, 0, s)).toISOString();
let seq = 0;

const started = (t: number, id = S): Fact =>
  ({
    type: "ChatSessionStarted",
    data: { session_id: id, chat_user_id: U, topic: "t", priority: "normal", channel: "web" },
    occurredAt: at(t),
  }) as Fact;
const assigned = (t: number, agent: string, reason: "claim" | "transfer" | "auto" = "claim"): Fact =>
  ({
    type: "ChatSessionAssigned",
    data: { session_id: S, agent_id: agent, agent_name: "A", reason, from_agent_id: null },
    occurredAt: at(t),
  }) as Fact;
const message = (t: number, kind: "visitor" | "agent" | "system"): Fact =>
  ({
    type: "ChatMessagePosted",
    data: {
      session_id: S,
      message_id: U,
      seq: ++seq,
      client_message_id: null,
      author_kind: kind,
      author_id: "x",
      author_name: null,
      body: "b",
    },
    occurredAt: at(t),
  }) as Fact;
const closed = (t: number): Fact =>
  ({
    type: "ChatSessionClosed",
    data: { session_id: S, closed_by_kind: "agent", closed_by_id: A1 },
    occurredAt: at(t),
  }) as Fact;
const rated = (t: number, score: number): Fact =>
  ({ type: "ChatSessionRated", data: { session_id: S, score, comment: null }, occurredAt: at(t) }) as Fact;

const facts = (events: Fact[]) => {
  const f = foldSessionFacts(events).get(S);
  if (!f) throw new Error("no facts");
  return f;
};

describe("report definitions on hand-built sessions", () => {
  it("wait_s runs from the start to the first assignment; first_response_s from the first visitor message to the next agent message; handle_s from the first assignment to the close", () => {
    const f = facts([
      started(0),
      message(2, "visitor"),
      message(3, "visitor"),
      assigned(10, A1),
      message(12, "system"),
      message(17, "agent"),
      message(20, "agent"),
      closed(70),
    ]);
    expect(sessionFigures(f)).toEqual({
      wait_ms: 10_000,
      abandoned: false,
      first_response_ms: 15_000,
      no_response: false,
      handle_ms: 60_000,
    });
    expect(f).toMatchObject({ messages_visitor: 2, messages_agent: 2, transfers: 0, agent_id: A1 });
  });

  it("an agent message before any visitor message is not a response", () => {
    const f = facts([
      started(0),
      assigned(1, A1),
      message(2, "agent"),
      message(5, "visitor"),
      message(9, "agent"),
    ]);
    expect(sessionFigures(f).first_response_ms).toBe(4_000);
  });

  it("a session closed before any assignment is abandoned and has no wait", () => {
    const f = facts([started(0), message(1, "visitor"), closed(30)]);
    expect(sessionFigures(f)).toEqual({
      wait_ms: null,
      abandoned: true,
      first_response_ms: null,
      no_response: true,
      handle_ms: null,
    });
  });

  it("transfers and reassignment: the wait ends at the first assignment, the session counts for the last agent", () => {
    const f = facts([
      started(0),
      assigned(5, A1),
      assigned(8, A2, "transfer"),
      assigned(9, A1, "transfer"),
      closed(20),
    ]);
    expect(f.transfers).toBe(2);
    expect(f.agent_id).toBe(A1);
    expect(sessionFigures(f)).toMatchObject({ wait_ms: 5_000, handle_ms: 15_000 });
  });

  it("closed is final: later assignments, messages and closes change nothing, a rating still counts", () => {
    const f = facts([
      started(0),
      assigned(2, A1),
      closed(10),
      assigned(20, A2),
      message(21, "agent"),
      closed(40),
      rated(50, 4),
    ]);
    expect(f).toMatchObject({ closed_at: at(10), agent_id: A1, messages_agent: 0, csat: 4 });
    expect(sessionFigures(f).handle_ms).toBe(8_000);
  });

  it("csat is the latest rating; csat_avg and csat_distribution count each session once", () => {
    const f = facts([started(0), rated(5, 2), rated(6, 5)]);
    expect(f.csat).toBe(5);
    const other = { ...f, session_id: "other", csat: 2 };
    const s = summarize([f, other, { ...f, session_id: "third", csat: null }]);
    expect(s.csat_count).toBe(2);
    expect(s.csat_avg).toBe(3.5);
    expect(s.csat_distribution).toEqual({ "1": 0, "2": 1, "3": 0, "4": 0, "5": 1 });
  });

  it("events before a session's start are ignored, other sessions' events too", () => {
    expect(foldSessionFacts([assigned(1, A1)]).size).toBe(0);
    const f = facts([started(0), started(5, "00000000-0000-4000-8000-000000000002"), assigned(7, A1)]);
    expect(sessionFigures(f).wait_ms).toBe(7_000);
  });

  it("medians and p90 are nearest-rank over the sessions that have the figure", () => {
    expect(nearestRank(1, 5)).toBe(1);
    expect(nearestRank(4, 5)).toBe(2);
    expect(nearestRank(10, 9)).toBe(9);
    expect(nearestRank(11, 9)).toBe(10);
    expect(timeFigure([1000, 2000, 3000, 4000])).toEqual({ count: 4, median_s: 2, p90_s: 4 });
    expect(timeFigure([])).toEqual({ count: 0, median_s: null, p90_s: null });
  });

  it("a session crossing midnight in Jakarta belongs to the local day of its start", () => {
    // 16:59:50 UTC = 23:59:50 in Jakarta (UTC+7); the session closes after local midnight.
    const start = new Date(Date.UTC(2026, 0, 5, 16, 59, 50));
    expect(localParts(start, "Asia/Jakarta")).toEqual({ date: "2026-01-05", hour: "23" });
    const f = facts([started(3590), assigned(3600, A1), closed(3700)]);
    expect(localParts(new Date(f.started_at), "Asia/Jakarta").date).toBe("2026-01-05");
    expect(localParts(new Date(f.closed_at as string), "Asia/Jakarta").date).toBe("2026-01-06");
    expect(sessionFigures(f)).toMatchObject({ wait_ms: 10_000, handle_ms: 100_000 });
    const s = summarize([f]);
    expect(s).toMatchObject({ sessions_started: 1, sessions_closed: 1, abandoned: 0 });
  });
});
