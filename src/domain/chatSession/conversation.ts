import { ConflictError, NotFoundError } from "../errors";
import type { ChatSessionEvent } from "./events";
import { findRecentMessage, type PostedMessage } from "./recentMessages";
import type { ChatSessionState, StartedChatSession } from "./state";

/** Who writes in a conversation. A visitor's id is its browser UUID or OSS user id; an agent's, its key id. */
export type Participant =
  | { readonly kind: "visitor"; readonly id: string; readonly name: string | null }
  | { readonly kind: "agent"; readonly id: string; readonly name: string };

export function startedOrNotFound(state: ChatSessionState): StartedChatSession {
  if (state.status === "none") throw new NotFoundError("Chat session not found");
  return state;
}

/** An agent acts on a session only while it holds it. */
function requireAssignee(state: StartedChatSession, agentId: string, action: string): void {
  if (state.assignee?.id !== agentId) {
    throw new ConflictError(`Only the agent assigned to this chat may ${action}`);
  }
}

export type PostMessage = {
  readonly messageId: string;
  readonly clientMessageId: string | null;
  readonly author: Participant;
  readonly body: string;
};

/** The message a client id was already posted as, if it is one of the session's recent messages. */
export function alreadyPosted(state: ChatSessionState, clientMessageId: string | null): PostedMessage | null {
  if (state.status === "none" || clientMessageId === null) return null;
  return findRecentMessage(state.recent, clientMessageId);
}

/** The next message takes seq lastSeq + 1; a client id seen before appends nothing (the retry gets the first). */
export function decidePostMessage(command: PostMessage, state: ChatSessionState): ChatSessionEvent[] {
  const session = startedOrNotFound(state);
  if (alreadyPosted(session, command.clientMessageId) !== null) return [];
  if (session.phase === "closed") throw new ConflictError("Chat session is closed");
  if (command.author.kind === "agent") requireAssignee(session, command.author.id, "post in it");
  return [
    {
      type: "ChatMessagePosted",
      data: {
        session_id: session.sessionId,
        message_id: command.messageId,
        seq: session.lastSeq + 1,
        client_message_id: command.clientMessageId,
        author_kind: command.author.kind,
        author_id: command.author.id,
        // A visitor who gave contact details is shown by that name.
        author_name: command.author.name ?? session.contact?.contact_name ?? null,
        body: command.body,
      },
    },
  ];
}

/** Who may close a session: its visitor, an agent, or the system (erasure closes an erased subject's chats). */
export type Closer = Participant | { readonly kind: "system"; readonly id: string };

/** Closing a closed session changes nothing; an agent may close a waiting session or its own. */
export function decideClose(command: { readonly by: Closer }, state: ChatSessionState): ChatSessionEvent[] {
  const session = startedOrNotFound(state);
  if (session.phase === "closed") return [];
  if (command.by.kind === "agent" && session.assignee !== null) {
    requireAssignee(session, command.by.id, "close it");
  }
  return [
    {
      type: "ChatSessionClosed",
      data: { session_id: session.sessionId, closed_by_kind: command.by.kind, closed_by_id: command.by.id },
    },
  ];
}

/** A closed session can be rated; each rating is kept, the latest counts. */
export function decideRate(
  command: { readonly score: number; readonly comment: string | null },
  state: ChatSessionState,
): ChatSessionEvent[] {
  const session = startedOrNotFound(state);
  if (session.phase !== "closed") throw new ConflictError("A chat can be rated once it is closed");
  return [
    {
      type: "ChatSessionRated",
      data: { session_id: session.sessionId, score: command.score, comment: command.comment },
    },
  ];
}

/** Read marks only move forward and never past the last message. */
export function decideMarkRead(
  command: { readonly reader: Participant; readonly upToSeq: number },
  state: ChatSessionState,
): ChatSessionEvent[] {
  const session = startedOrNotFound(state);
  if (command.reader.kind === "agent") requireAssignee(session, command.reader.id, "mark it read");
  const current = command.reader.kind === "visitor" ? session.visitorReadSeq : session.agentReadSeq;
  const upTo = Math.min(command.upToSeq, session.lastSeq);
  if (upTo <= current) return [];
  return [
    {
      type: "ChatMessagesRead",
      data: {
        session_id: session.sessionId,
        reader_kind: command.reader.kind,
        reader_id: command.reader.id,
        up_to_seq: upTo,
      },
    },
  ];
}
