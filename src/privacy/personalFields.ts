import type { EventType } from "../events/chatEvents";

/**
 * Which fields of each event type hold personal data, in one table: adding an event type fails to compile
 * until it says what in it is personal. Paths are dotted into the event's data ("into.email").
 */
export interface PersonalFields {
  /** Sealed with the data subject's own key: erasure destroys it. */
  readonly subject?: readonly string[];
  /**
   * Sealed with a key of the session's messages, itself kept under the subject: retention destroys that key
   * alone (message bodies go, the rest of the session stays), erasure destroys it with the subject's.
   */
  readonly sessionMessages?: readonly string[];
  /** The data subject when it is not the owner the metadata names (the chat user the stream belongs to). */
  readonly subjectOf?: (data: Record<string, unknown>) => string;
  /** false for records of privacy operations themselves: their metadata names staff, not the subject. */
  readonly sealMetadata?: false;
}

const contact = ["contact_name", "contact_email", "contact_phone", "position", "company_name"];

export const personalFields: Record<EventType, PersonalFields> = {
  ChatUserRegistered: { subject: ["email", "ip_address", "user_agent"] },
  ChatUserLinkedToOssUser: { subject: ["email"] },
  ChatUserMergedInto: { subject: ["email", "into.email", "into.ip_address", "into.user_agent"] },
  // The claim's stream belongs to the OSS account; the email in it is the claiming chat user's.
  OssIdentityClaimed: { subject: ["email"], subjectOf: (d) => String(d.chat_user_id) },
  OssIdentityReleased: {},
  ChatSessionStarted: {},
  ChatSessionContactSet: { subject: contact },
  ChatSessionContactUpdated: { subject: contact },
  // Message bodies are sealed per session (retention shreds them); a visitor's name and rating comment are theirs.
  ChatMessagePosted: { sessionMessages: ["body"], subject: ["author_name"] },
  ChatSessionAssigned: {},
  ChatSessionClosed: {},
  ChatSessionRated: { subject: ["comment"] },
  ChatMessagesRead: {},
  // A private note is about the visitor: sealed with their key, shredded by their erasure.
  ChatNoteAdded: { subject: ["body"] },
  ChatLabelsSet: {},
  // Written by staff for staff; the stream's owner is the agent (or "shared"), whose request metadata is sealed.
  CannedResponseSaved: {},
  CannedResponseDeleted: {},
  AgentStatusChanged: {},
  ChatUserErased: { sealMetadata: false },
  RetentionApplied: { sealMetadata: false },
  LogReencrypted: { sealMetadata: false },
};

/** Metadata every event carries that is personal: where a request came from. */
export const personalMetadata = ["ip", "user_agent"] as const;

/** The key id of a data subject's own key. */
export const subjectKeyId = (subjectId: string) => `u.${subjectId}`;
/** The key id of one session's message bodies. */
export const sessionMessagesKeyId = (sessionId: string) => `m.${sessionId}`;
