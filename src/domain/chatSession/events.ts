import { z } from "zod";
import type { EventsOf, FactOf } from "../eventTypes";

// The events of a chat session's stream (`chatSession-<session_id>`).

const uuid = z.uuid();
const priority = z.enum(["low", "normal", "high", "urgent"]);
const authorKind = z.enum(["visitor", "agent", "system"]);

export const chatSessionEventSchemas = {
  ChatSessionStarted: z.object({
    session_id: uuid,
    chat_user_id: uuid,
    topic: z.string(),
    priority,
    channel: z.string(),
  }),
  ChatSessionContactSet: z.object({
    session_id: uuid,
    contact_id: uuid,
    contact_name: z.string(),
    contact_email: z.string(),
    contact_phone: z.string().nullable(),
    position: z.string().nullable(),
    company_name: z.string().nullable(),
  }),
  ChatSessionContactUpdated: z.object({
    session_id: uuid,
    contact_name: z.string(),
    contact_email: z.string(),
    contact_phone: z.string().nullable(),
    position: z.string().nullable(),
    company_name: z.string().nullable(),
  }),
  ChatMessagePosted: z.object({
    session_id: uuid,
    message_id: uuid,
    /** 1 for a session's first message, then one more per message: decided on the session stream, no gaps. */
    seq: z.number().int().min(1),
    client_message_id: uuid.nullable(),
    author_kind: authorKind,
    /** The browser UUID, OSS user id or agent id that wrote it. */
    author_id: z.string(),
    author_name: z.string().nullable(),
    body: z.string(),
  }),
  ChatSessionAssigned: z.object({
    session_id: uuid,
    agent_id: uuid,
    agent_name: z.string(),
    reason: z.enum(["claim", "transfer", "auto"]),
    /** The agent who held the session before a transfer; null when it was waiting. */
    from_agent_id: uuid.nullable(),
  }),
  ChatSessionClosed: z.object({
    session_id: uuid,
    closed_by_kind: authorKind,
    closed_by_id: z.string(),
  }),
  ChatSessionRated: z.object({
    session_id: uuid,
    score: z.number().int().min(1).max(5),
    comment: z.string().nullable(),
  }),
  ChatMessagesRead: z.object({
    session_id: uuid,
    reader_kind: z.enum(["visitor", "agent"]),
    reader_id: z.string(),
    up_to_seq: z.number().int().min(0),
  }),
  /** An agent's private note on a session: agents only, never shown to the visitor (src/workspace/visibility.ts). */
  ChatNoteAdded: z.object({
    session_id: uuid,
    note_id: uuid,
    /** The seq of the last message when the note was written: the note shows after it. */
    after_seq: z.number().int().min(0),
    author_id: z.string(),
    author_name: z.string(),
    body: z.string(),
  }),
  /** The session's labels are now exactly these (agents only). */
  ChatLabelsSet: z.object({
    session_id: uuid,
    labels: z.array(z.string()),
  }),
} as const;

/** The version each type is written with today; older versions are upcast where events are read. */
export const chatSessionEventVersions = {
  ChatSessionStarted: 2,
  ChatSessionContactSet: 1,
  ChatSessionContactUpdated: 1,
  ChatMessagePosted: 1,
  ChatSessionAssigned: 1,
  ChatSessionClosed: 1,
  ChatSessionRated: 1,
  ChatMessagesRead: 1,
  ChatNoteAdded: 1,
  ChatLabelsSet: 1,
} as const;

export type ChatSessionEvent = EventsOf<typeof chatSessionEventSchemas>;
export type ChatSessionFact = FactOf<ChatSessionEvent>;
