import type { Fact } from "../events/chatEvents";
import type { Projection, RowOp } from "./rowOps";

/** A new conversation: no agent, no message, nothing read, open, unrated (explicit, so in-memory folds agree). */
const conversationStart = {
  assigned_agent_id: null,
  assigned_agent_name: null,
  assigned_at: null,
  last_seq: 0,
  last_message_at: null,
  visitor_read_seq: 0,
  agent_read_seq: 0,
  closed_at: null,
  closed_by_kind: null,
  rating_score: null,
  rating_comment: null,
  rated_at: null,
  labels: [],
};

const sessionUpdate = (sessionId: string, set: Record<string, unknown>): RowOp => ({
  kind: "update",
  table: "chat_sessions",
  where: { id: sessionId },
  set,
});

/**
 * The browser that started a session anonymously (the actor of its start), else null. A linked browser alone
 * reads only these sessions: the account's other sessions need the account's token.
 */
function anonymousBrowser(event: Fact): string | null {
  return event.actor?.kind === "anonymous" ? event.actor.id.toLowerCase() : null;
}

/** chat_sessions: one row per session with its status, assignee, last message and read marks; a merge moves the merged user's sessions to its target. */
export const chatSessionsProjection: Projection = {
  name: "chat_sessions",
  table: "chat_sessions",
  project(event: Fact): RowOp[] {
    const t = event.occurredAt;
    switch (event.type) {
      case "ChatSessionStarted": {
        const d = event.data;
        return [
          {
            kind: "upsert",
            table: "chat_sessions",
            conflict: ["id"],
            onConflict: "replace",
            row: {
              id: d.session_id,
              chat_user_id: d.chat_user_id,
              topic: d.topic,
              priority: d.priority,
              status: "waiting",
              channel: d.channel,
              anonymous_browser_uuid: anonymousBrowser(event),
              created_at: t,
              updated_at: t,
              deleted_at: null,
              ...conversationStart,
            },
          },
        ];
      }
      case "ChatUserMergedInto":
        return [
          {
            kind: "update",
            table: "chat_sessions",
            where: { chat_user_id: event.data.chat_user_id },
            set: { chat_user_id: event.data.into_chat_user_id, updated_at: t },
          },
        ];
      case "ChatMessagePosted":
        return [
          sessionUpdate(event.data.session_id, {
            last_seq: event.data.seq,
            last_message_at: t,
            updated_at: t,
          }),
        ];
      case "ChatSessionAssigned":
        return [
          sessionUpdate(event.data.session_id, {
            status: "active",
            assigned_agent_id: event.data.agent_id,
            assigned_agent_name: event.data.agent_name,
            assigned_at: t,
            updated_at: t,
          }),
        ];
      case "ChatSessionClosed":
        return [
          sessionUpdate(event.data.session_id, {
            status: "closed",
            closed_at: t,
            closed_by_kind: event.data.closed_by_kind,
            updated_at: t,
          }),
        ];
      case "ChatSessionRated":
        return [
          sessionUpdate(event.data.session_id, {
            rating_score: event.data.score,
            rating_comment: event.data.comment,
            rated_at: t,
            updated_at: t,
          }),
        ];
      case "ChatMessagesRead":
        return [
          sessionUpdate(event.data.session_id, {
            [event.data.reader_kind === "visitor" ? "visitor_read_seq" : "agent_read_seq"]:
              event.data.up_to_seq,
          }),
        ];
      case "ChatLabelsSet":
        return [sessionUpdate(event.data.session_id, { labels: event.data.labels })];
      case "ChatUserErased":
        return [{ kind: "erase", table: "chat_sessions", chatUserIds: event.data.erased_chat_user_ids }];
      default:
        // Every other event leaves this table as it is.
        return [];
    }
  },
};
