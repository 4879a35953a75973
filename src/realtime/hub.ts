import { authorKindVisibleTo } from "../workspace/visibility";
import type { Notice } from "./notices";
import type { AgentRef, MessageView, ServerFrame } from "./protocol";
import { createSequencer, type Sequencer } from "./sequencer";

export type Side = "visitor" | "agent";

/** A socket as the hub sees it: which side it speaks for and how to send it a frame. */
export interface Peer {
  readonly side: Side;
  /** The agent's staff id on an agent socket, else null. */
  readonly agentId: string | null;
  /**
   * Sends a frame. `backlog`: a stream read the process holds already (bounded by the session's size), so it
   * is not held to the send-buffer bound that protects memory from live traffic piling up.
   */
  send(frame: ServerFrame, backlog?: boolean): void;
}

/** Reads a session's messages after a seq from the event store (the truth at the moment of reading). */
export type BacklogReader = (sessionId: string, afterSeq: number) => Promise<MessageView[]>;

interface Subscription {
  readonly sequencer: Sequencer;
  /** Nothing of the session reaches the socket before its access is confirmed. */
  authorized: boolean;
  refilling: boolean;
}

/** What the hub remembers of a session for later frames (topic on assignment, assignee on close). */
interface SessionInfo {
  readonly topic: string | null;
  readonly priority: string | null;
  readonly agent: AgentRef | null;
}

/** Sessions remembered for those frames; bounded, the least recently touched forgotten first. */
const MAX_REMEMBERED = 50_000;

/**
 * The sockets of one process and what each watches. Live notices from the log follower and typing relays come
 * in; frames go out to the peers concerned. Every subscription is live before its backlog is read.
 */
export function createHub(readBacklog: BacklogReader, onError: (err: unknown) => void) {
  const sessions = new Map<string, Map<Peer, Subscription>>();
  const agents = new Set<Peer>();
  const infos = new Map<string, SessionInfo>();

  function remember(sessionId: string, info: Partial<SessionInfo>) {
    const known = infos.get(sessionId) ?? { topic: null, priority: null, agent: null };
    infos.delete(sessionId);
    infos.set(sessionId, { ...known, ...info });
    if (infos.size > MAX_REMEMBERED) {
      const oldest = infos.keys().next();
      if (!oldest.done) infos.delete(oldest.value);
    }
  }

  function sendMessages(peer: Peer, sessionId: string, messages: readonly MessageView[], backlog: boolean) {
    for (const message of messages) peer.send({ type: "message", session_id: sessionId, message }, backlog);
  }

  async function refill(peer: Peer, sessionId: string, sub: Subscription) {
    if (sub.refilling) return;
    sub.refilling = true;
    try {
      for (let more = true; more; ) {
        const backlog = await readBacklog(sessionId, sub.sequencer.lastSeq);
        if (sessions.get(sessionId)?.get(peer) !== sub) return;
        const { send, refill: again } = sub.sequencer.backlog(backlog);
        sendMessages(peer, sessionId, send, true);
        more = again;
      }
    } catch (err) {
      onError(err);
    } finally {
      sub.refilling = false;
    }
  }

  /** Frames for everyone concerned by a session's status change: its subscribers, and every agent socket. */
  function status(sessionId: string, frame: ServerFrame) {
    const subs = sessions.get(sessionId);
    for (const [peer, sub] of subs ?? []) if (sub.authorized) peer.send(frame);
    // Agents' consoles keep the queue current from these: a claimed or closed session leaves it.
    for (const agent of agents) if (!subs?.get(agent)?.authorized) agent.send(frame);
  }

  return {
    addAgent(peer: Peer) {
      agents.add(peer);
    },

    /** Starts live delivery (held) before anything is read; `authorize` then confirms access or not. */
    beginSubscription(peer: Peer, sessionId: string, afterSeq: number): void {
      let subs = sessions.get(sessionId);
      if (!subs) {
        subs = new Map();
        sessions.set(sessionId, subs);
      }
      subs.set(peer, { sequencer: createSequencer(afterSeq), authorized: false, refilling: false });
    },

    /** Access confirmed: sends the backlog (read after the live subscription began) and whatever was held. */
    completeSubscription(peer: Peer, sessionId: string, backlog: readonly MessageView[], info: SessionInfo) {
      const sub = sessions.get(sessionId)?.get(peer);
      if (!sub) return null;
      remember(sessionId, info);
      sub.authorized = true;
      const { send, refill: again } = sub.sequencer.backlog(backlog);
      sendMessages(peer, sessionId, send, true);
      if (again) void refill(peer, sessionId, sub);
      return sub.sequencer.lastSeq;
    },

    isSubscribed(peer: Peer, sessionId: string): boolean {
      return sessions.get(sessionId)?.get(peer)?.authorized ?? false;
    },

    unsubscribe(peer: Peer, sessionId: string) {
      const subs = sessions.get(sessionId);
      subs?.delete(peer);
      if (subs?.size === 0) sessions.delete(sessionId);
    },

    /** Forgets a closed socket everywhere. */
    remove(peer: Peer, subscribed: Iterable<string>) {
      agents.delete(peer);
      for (const sessionId of subscribed) this.unsubscribe(peer, sessionId);
    },

    /** Routes one notice from the log to the sockets it concerns. */
    dispatch(notice: Notice) {
      switch (notice.kind) {
        case "message": {
          for (const [peer, sub] of sessions.get(notice.sessionId) ?? []) {
            const { send, refill: gap } = sub.sequencer.live(notice.message);
            if (sub.authorized) sendMessages(peer, notice.sessionId, send, false);
            if (gap && sub.authorized) void refill(peer, notice.sessionId, sub);
          }
          return;
        }
        case "note": {
          // Outside the sequencer (a note has no seq of its own), and only to the sides that may see it.
          for (const [peer, sub] of sessions.get(notice.sessionId) ?? []) {
            if (!sub.authorized || !authorKindVisibleTo(peer.side, "note")) continue;
            peer.send({ type: "message", session_id: notice.sessionId, message: notice.message });
          }
          return;
        }
        case "assigned": {
          remember(notice.sessionId, { agent: notice.agent });
          const info = infos.get(notice.sessionId);
          const frame = {
            type: "status",
            session_id: notice.sessionId,
            status: "active",
            assigned_agent: notice.agent,
          } as const;
          status(notice.sessionId, frame);
          for (const agent of agents) {
            if (agent.agentId !== notice.agent.id) continue;
            agent.send({
              type: "assigned",
              session_id: notice.sessionId,
              assigned_agent: notice.agent,
              topic: info?.topic ?? null,
              priority: info?.priority ?? null,
            });
          }
          return;
        }
        case "closed":
          status(notice.sessionId, {
            type: "status",
            session_id: notice.sessionId,
            status: "closed",
            assigned_agent: infos.get(notice.sessionId)?.agent ?? null,
          });
          return;
        case "read":
          // Read receipts: both sides' subscribers (the visitor's ticks, the agent's console).
          for (const [peer, sub] of sessions.get(notice.sessionId) ?? []) {
            if (!sub.authorized) continue;
            peer.send({
              type: "read",
              session_id: notice.sessionId,
              reader_kind: notice.readerKind,
              up_to_seq: notice.upToSeq,
            });
          }
          return;
        case "queued":
          remember(notice.sessionId, { topic: notice.topic, priority: notice.priority });
          for (const agent of agents) {
            agent.send({
              type: "queue",
              session_id: notice.sessionId,
              topic: notice.topic,
              priority: notice.priority,
            });
          }
          return;
        default: {
          const unhandled: never = notice;
          throw new Error(`unhandled notice ${JSON.stringify(unhandled)}`);
        }
      }
    },

    /** Relays a typing signal to the other side's subscribers of the session. */
    typing(sessionId: string, author: Side) {
      for (const [peer, sub] of sessions.get(sessionId) ?? []) {
        if (sub.authorized && peer.side !== author) {
          peer.send({ type: "typing", session_id: sessionId, author_kind: author });
        }
      }
    },

    counts() {
      return { sessions: sessions.size, agents: agents.size };
    },
  };
}

export type Hub = ReturnType<typeof createHub>;
