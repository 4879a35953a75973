import { z } from "zod";
import type { AgentRef, MessageView } from "./protocol";

/** What the log tells the sockets: one notice per event that anyone watches live. */
export type Notice =
  | { readonly kind: "message"; readonly sessionId: string; readonly message: MessageView }
  /** An agent's private note: only agent sockets get it (src/workspace/visibility.ts). */
  | { readonly kind: "note"; readonly sessionId: string; readonly message: MessageView }
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
const noteAdded = z.object({
  session_id: z.string(),
  note_id: z.string(),
  after_seq: z.number().int(),
  author_name: z.string(),
  body: z.string(),
});
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
  "ChatNoteAdded",
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
    case "ChatNoteAdded": {
      const d = noteAdded.safeParse(event.data);
      if (!d.success) return null;
      const message: MessageView = {
        message_id: d.data.note_id,
        // A note takes no seq of its own: it shows after the message it followed.
        seq: d.data.after_seq,
        author_kind: "note",
        author_name: d.data.author_name,
        body: d.data.body,
        created_at: event.metadata.occurred_at,
      };
      return { kind: "note", sessionId: d.data.session_id, message };
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
export interface SessionView extends SessionHead {
  readonly messages: MessageView[];
}

/** A session's state without its messages: what a subscription checks and announces. */
export interface SessionHead {
  readonly chatUserId: string | null;
  readonly topic: string | null;
  readonly priority: string | null;
  readonly status: "none" | "waiting" | "active" | "closed";
  readonly assignedAgent: AgentRef | null;
  /** The seq of the session's last message (0: none yet). */
  readonly lastSeq: number;
  /** The highest seq each side has marked read (read receipts). */
  readonly visitorReadSeq: number;
  readonly agentReadSeq: number;
}

export const noSession: SessionHead = {
  chatUserId: null,
  topic: null,
  priority: null,
  status: "none",
  assignedAgent: null,
  lastSeq: 0,
  visitorReadSeq: 0,
  agentReadSeq: 0,
};

const startedOwner = z.object({ chat_user_id: z.string() });

/** One event of a session's stream folded into its head (the notice is `noticeOf(event)`, passed if known). */
export function evolveSessionHead(
  head: SessionHead,
  event: LoggedEvent,
  notice: Notice | null = noticeOf(event),
): SessionHead {
  if (notice === null) return head;
  switch (notice.kind) {
    case "queued": {
      const owner = startedOwner.safeParse(event.data);
      return {
        ...head,
        chatUserId: owner.success ? owner.data.chat_user_id : null,
        topic: notice.topic,
        priority: notice.priority,
        status: "waiting",
      };
    }
    case "message":
      return { ...head, lastSeq: Math.max(head.lastSeq, notice.message.seq) };
    case "assigned":
      return { ...head, status: "active", assignedAgent: notice.agent };
    case "closed":
      return { ...head, status: "closed" };
    // A note has no seq of its own and is never part of a backlog: visitors' subscriptions read it too.
    case "note":
      return head;
    case "read":
      return notice.readerKind === "visitor"
        ? { ...head, visitorReadSeq: Math.max(head.visitorReadSeq, notice.upToSeq) }
        : { ...head, agentReadSeq: Math.max(head.agentReadSeq, notice.upToSeq) };
    default: {
      const unhandled: never = notice;
      throw new Error(`unhandled notice ${JSON.stringify(unhandled)}`);
    }
  }
}

/** Folds a session stream into what a subscription needs: who owns it, its messages and its status. */
export function sessionViewOf(events: readonly LoggedEvent[]): SessionView {
  let head = noSession;
  const messages: MessageView[] = [];
  for (const event of events) {
    const notice = noticeOf(event);
    if (notice?.kind === "message") messages.push(notice.message);
    head = evolveSessionHead(head, event, notice);
  }
  return { ...head, messages };
}
