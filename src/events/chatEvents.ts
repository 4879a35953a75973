import { z } from "zod";
import { type Actor, actorSchema } from "./metadata";

/** Every event type of the domain with the zod schema of its current data shape and its version. */

const uuid = z.uuid();
const priority = z.enum(["low", "normal", "high", "urgent"]);
const authorKind = z.enum(["visitor", "agent", "system"]);
export const erasureReason = z.enum([
  "data_subject_request",
  "legal_obligation",
  "consent_withdrawn",
  "other",
]);

/** The chat user's read-model state, carried by a merge so its target row can exist before its own events arrive. */
export const chatUserSnapshotSchema = z.object({
  browser_uuid: uuid.nullable(),
  oss_user_id: z.string().nullable(),
  email: z.string().nullable(),
  is_anonymous: z.boolean(),
  ip_address: z.string(),
  user_agent: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
});

export const eventSchemas = {
  ChatUserRegistered: z.object({
    chat_user_id: uuid,
    browser_uuid: uuid.nullable(),
    oss_user_id: z.string().nullable(),
    email: z.string().nullable(),
    is_anonymous: z.boolean(),
    ip_address: z.string(),
    user_agent: z.string().nullable(),
  }),
  ChatUserLinkedToOssUser: z.object({
    chat_user_id: uuid,
    oss_user_id: z.string(),
    email: z.string(),
  }),
  ChatUserMergedInto: z.object({
    chat_user_id: uuid,
    into_chat_user_id: uuid,
    oss_user_id: z.string(),
    email: z.string(),
    into: chatUserSnapshotSchema,
  }),
  OssIdentityClaimed: z.object({
    oss_user_id: z.string(),
    chat_user_id: uuid,
    email: z.string(),
  }),
  OssIdentityReleased: z.object({
    oss_user_id: z.string(),
    chat_user_id: uuid,
  }),
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
  /** A canned response was created or changed; its stream holds one owner's set (personal) or the shared set. */
  CannedResponseSaved: z.object({
    canned_response_id: uuid,
    scope: z.enum(["personal", "shared"]),
    /** The agent a personal response belongs to; null for a shared one. */
    owner_agent_id: z.string().nullable(),
    shortcut: z.string(),
    title: z.string(),
    body: z.string(),
    team_id: z.string().nullable(),
    language: z.enum(["id", "en"]).nullable(),
  }),
  CannedResponseDeleted: z.object({
    canned_response_id: uuid,
    scope: z.enum(["personal", "shared"]),
    owner_agent_id: z.string().nullable(),
  }),
  AgentStatusChanged: z.object({
    agent_id: uuid,
    agent_name: z.string(),
    status: z.enum(["available", "away"]),
  }),
  /** A data subject's personal data was erased: their keys destroyed. Names who and why, nothing personal. */
  ChatUserErased: z.object({
    chat_user_id: uuid,
    /** The user and every chat user merged into it: the same person's data. */
    erased_chat_user_ids: z.array(uuid).min(1),
    erased_by: actorSchema,
    reason: erasureReason,
    /** A ticket or case number, never free text about the person. */
    reference: z.string().nullable(),
  }),
  /** Message bodies of sessions closed longer ago than the retention period were shredded (their keys destroyed). */
  RetentionApplied: z.object({
    retention_days: z.number().int().min(1),
    closed_before: z.string(),
    session_ids: z.array(uuid),
  }),
  /** Events written in plaintext were re-encrypted in place: the chains' roots before and after. */
  LogReencrypted: z.object({
    streams: z.number().int().min(0),
    events: z.number().int().min(0),
    root_before: z.string(),
    root_after: z.string(),
  }),
} as const;

export type EventType = keyof typeof eventSchemas;
export const eventTypes = Object.keys(eventSchemas) as EventType[];

/** The version each type is written with today; older versions are upcast where events are read. */
export const currentVersion: Record<EventType, number> = {
  ChatUserRegistered: 1,
  ChatUserLinkedToOssUser: 1,
  ChatUserMergedInto: 1,
  OssIdentityClaimed: 1,
  OssIdentityReleased: 1,
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
  CannedResponseSaved: 1,
  CannedResponseDeleted: 1,
  AgentStatusChanged: 1,
  ChatUserErased: 1,
  RetentionApplied: 1,
  LogReencrypted: 1,
};

export type EventData<T extends EventType> = Readonly<z.infer<(typeof eventSchemas)[T]>>;
export type ChatUserSnapshot = z.infer<typeof chatUserSnapshotSchema>;

/** A domain event as deciders produce it: no metadata, no position. */
export type DomainEvent = { [T in EventType]: { readonly type: T; readonly data: EventData<T> } }[EventType];
export type EventOf<T extends EventType> = Extract<DomainEvent, { type: T }>;

export function isEventType(type: string): type is EventType {
  return Object.hasOwn(eventSchemas, type);
}

/**
 * An event as the domain and the projections fold it: what happened, when (ISO 8601, UTC) and, where the
 * reader has it, who caused it (the read model records which browser started a session anonymously).
 */
export type Fact = DomainEvent & { readonly occurredAt: string; readonly actor?: Actor };
