import { z } from "zod";
import type { AgentRef, MessageView } from "./protocol";

/** What the log tells the sockets: one notice per event that anyone watches live. */
export type Notice =
  | { readonly kind: "message"; readonly sessionId: string; readonly message: MessageView }
  | { readonly kind: "assigned"; readonly sessionId: string; readonly agent: AgentRef }
  | { readonly kind: "closed"; readonly sessionId: string }
  | {
      readonly kind: "read";
      readonly sessionId: string;
      readonly readerKind: "visitor" | "agent";
      readonly upToSeq: number;
    }
  | {
      readonly kind: "queued";
      readonly sessionId: string;
      readonly topic: string;
      readonly priority: string;
    };

/** The part of a recorded event the real-time side reads (any adapter's or the bus's event has it). */
export interface LoggedEvent {
  readonly type: string;
  readonly data: unknown;
  readonly metadata: { readonly occurred_at: string };
}

// Read loosely on purpose: the real-time side needs a few fields, and an event it cannot read is skipped,
// never a reason to stop delivering everything else.
const messagePosted = z.object({
  session_id: z.string(),
  message_id: z.string(),
  seq: z.number().int(),
  author_kind: z.enum(["visitor", "agent", "system"]),
  author_name: z.string().nullish(),
  body: z.string(),
});
const sessionAssigned = z.object({
  session_id: z.string(),
  agent_id: z.string(),
  agent_name: z.string(),
});
const sessionClosed = z.object({ session_id: z.string() });
const messagesRead = z.object({
  session_id: z.string(),
  reader_kind: z.enum(["visitor", "agent"]),
  up_to_seq: z.number().int(),
});
const sessionStarted = z.object({ session_id: z.string(), topic: z.string(), priority: z.string() });

/** The event types that give notices: the only ones a real-time follower needs opened. */
export const liveEventTypes: ReadonlySet<string> = new Set([
  "ChatMessagePosted",
  "ChatSessionAssigned",
  "ChatSessionClosed",
  "ChatSessionStarted",
  "ChatMessagesRead",
]);

/** The notice an event gives, or null for events nobody watches live (any type not in liveEventTypes). */
export function noticeOf(event: LoggedEvent): Notice | null {
  switch (event.type) {
    case "ChatMessagePosted": {
      const d = messagePosted.safeParse(event.data);
      if (!d.success) return null;
      return { kind: "message", sessionId: d.data.session_id, message: messageView(d.data, event) };
    }
    case "ChatSessionAssigned": {
      const d = sessionAssigned.safeParse(event.data);
      if (!d.success) return null;
      return {
        kind: "assigned",
        sessionId: d.data.session_id,
        agent: { id: d.data.agent_id, name: d.data.agent_name },
      };
    }
    case "ChatSessionClosed": {
      const d = sessionClosed.safeParse(event.data);
      return d.success ? { kind: "closed", sessionId: d.data.session_id } : null;
    }
    case "ChatMessagesRead": {
      const d = messagesRead.safeParse(event.data);
      if (!d.success) return null;
      return {
        kind: "read",
        sessionId: d.data.session_id,
        readerKind: d.data.reader_kind,
        upToSeq: d.data.up_to_seq,
      };
    }
    case "ChatSessionStarted": {
      const d = sessionStarted.safeParse(event.data);
      if (!d.success) return null;
      return { kind: "queued", sessionId: d.data.session_id, topic: d.data.topic, priority: d.data.priority };
    }
    default:
      return null;
  }
}

function messageView(d: z.infer<typeof messagePosted>, event: LoggedEvent): MessageView {
  return {
    message_id: d.message_id,
    seq: d.seq,
    author_kind: d.author_kind,
    author_name: d.author_name ?? null,
    body: d.body,
    created_at: event.metadata.occurred_at,
  };
}

/** What a session's own stream says at its end: its start, its messages, its status and assignee. */
export interface SessionView {
  readonly chatUserId: string | null;
  readonly topic: string | null;
  readonly priority: string | null;
  readonly status: "none" | "waiting" | "active" | "closed";
  readonly assignedAgent: AgentRef | null;
  readonly messages: MessageView[];
  /** The highest seq each side has marked read (read receipts). */
  readonly visitorReadSeq: number;
  readonly agentReadSeq: number;
}

const startedOwner = z.object({ chat_user_id: z.string() });

/** Folds a session stream into what a subscription needs: who owns it, its messages and its status. */
export function sessionViewOf(events: readonly LoggedEvent[]): SessionView {
  let view: SessionView = {
    chatUserId: null,
    topic: null,
    priority: null,
    status: "none",
    assignedAgent: null,
    messages: [],
    visitorReadSeq: 0,
    agentReadSeq: 0,
  };
  for (const event of events) {
    const notice = noticeOf(event);
    if (notice === null) continue;
    switch (notice.kind) {
      case "queued": {
        const owner = startedOwner.safeParse(event.data);
        view = {
          ...view,
          chatUserId: owner.success ? owner.data.chat_user_id : null,
          topic: notice.topic,
          priority: notice.priority,
          status: "waiting",
        };
        break;
      }
      case "message":
        view.messages.push(notice.message);
        break;
      case "assigned":
        view = { ...view, status: "active", assignedAgent: notice.agent };
        break;
      case "closed":
        view = { ...view, status: "closed" };
        break;
      case "read":
        view =
          notice.readerKind === "visitor"
            ? { ...view, visitorReadSeq: Math.max(view.visitorReadSeq, notice.upToSeq) }
            : { ...view, agentReadSeq: Math.max(view.agentReadSeq, notice.upToSeq) };
        break;
      default: {
        const unhandled: never = notice;
        throw new Error(`unhandled notice ${JSON.stringify(unhandled)}`);
      }
    }
  }
  return view;
}
