import { createHub, type Peer, type Side } from "../../src/realtime/hub";
import type { MessageView, ServerFrame } from "../../src/realtime/protocol";

const S = "6f1c1f44-8a7e-4c36-9d43-0b6c4e3f8a11";
const BUDI = { id: "a1", name: "Budi" };
const msg = (seq: number): MessageView => ({
  message_id: `m${seq}`,
  seq,
  author_kind: "visitor",
  author_name: null,
  body: `b${seq}`,
  created_at: "2026-01-01T00:00:00.000Z",
});

function peer(side: Side, agentId: string | null = null): Peer & { frames: ServerFrame[] } {
  const frames: ServerFrame[] = [];
  return { side, agentId, frames, send: (f) => frames.push(f) };
}
const info = { topic: "Izin", priority: "high", agent: null };

describe("hub", () => {
  it("sends nothing of a session before access is confirmed, then the backlog and what was held", () => {
    const hub = createHub(
      async () => [],
      () => undefined,
    );
    const v = peer("visitor");
    hub.beginSubscription(v, S, 0);
    hub.dispatch({ kind: "message", sessionId: S, message: msg(2) });
    hub.dispatch({ kind: "assigned", sessionId: S, agent: BUDI });
    hub.typing(S, "agent");
    expect(v.frames).toEqual([]);
    hub.completeSubscription(v, S, [msg(1)], info);
    expect(v.frames.map((f) => (f.type === "message" ? f.message.seq : f.type))).toEqual([1, 2]);
  });

  it("forgets a subscription refused access: nothing reaches that socket later", () => {
    const hub = createHub(
      async () => [],
      () => undefined,
    );
    const v = peer("visitor");
    hub.beginSubscription(v, S, 0);
    hub.unsubscribe(v, S);
    hub.dispatch({ kind: "message", sessionId: S, message: msg(1) });
    expect(v.frames).toEqual([]);
  });

  it("tells subscribers and every agent about status, and only the assignee's sockets about the assignment", () => {
    const hub = createHub(
      async () => [],
      () => undefined,
    );
    const v = peer("visitor");
    const budi = peer("agent", BUDI.id);
    const sari = peer("agent", "a2");
    hub.addAgent(budi);
    hub.addAgent(sari);
    hub.beginSubscription(v, S, 0);
    hub.completeSubscription(v, S, [], info);
    hub.dispatch({ kind: "queued", sessionId: S, topic: "Izin", priority: "high" });
    hub.dispatch({ kind: "assigned", sessionId: S, agent: BUDI });
    hub.dispatch({ kind: "closed", sessionId: S });
    const status = { type: "status", session_id: S, status: "active", assigned_agent: BUDI };
    const closed = { type: "status", session_id: S, status: "closed", assigned_agent: BUDI };
    expect(v.frames).toEqual([status, closed]);
    expect(sari.frames).toEqual([
      { type: "queue", session_id: S, topic: "Izin", priority: "high" },
      status,
      closed,
    ]);
    expect(budi.frames).toEqual([
      { type: "queue", session_id: S, topic: "Izin", priority: "high" },
      status,
      { type: "assigned", session_id: S, assigned_agent: BUDI, topic: "Izin", priority: "high" },
      closed,
    ]);
  });

  it("relays typing to the other side's subscribers only", () => {
    const hub = createHub(
      async () => [],
      () => undefined,
    );
    const v = peer("visitor");
    const a = peer("agent", BUDI.id);
    for (const p of [v, a]) {
      hub.beginSubscription(p, S, 0);
      hub.completeSubscription(p, S, [], info);
    }
    hub.typing(S, "visitor");
    expect(v.frames).toEqual([]);
    expect(a.frames).toEqual([{ type: "typing", session_id: S, author_kind: "visitor" }]);
  });

  it("re-reads the stream when a live message arrives past a gap, and sends in order", async () => {
    const reads: number[] = [];
    const hub = createHub(
      async (_s, after) => {
        reads.push(after);
        return [msg(2), msg(3)].filter((m) => m.seq > after);
      },
      () => undefined,
    );
    const v = peer("visitor");
    hub.beginSubscription(v, S, 0);
    hub.completeSubscription(v, S, [msg(1)], info);
    hub.dispatch({ kind: "message", sessionId: S, message: msg(3) });
    await new Promise((r) => setImmediate(r));
    expect(reads).toEqual([1]);
    expect(v.frames.map((f) => (f.type === "message" ? f.message.seq : f.type))).toEqual([1, 2, 3]);
  });
});
