import type { Fact } from "../events/chatEvents";
import type { Projection, RowOp } from "./rowOps";

/**
 * The browser that started a session anonymously (the actor of its start), else null. A linked browser alone
 * reads only these sessions: the account's other sessions need the account's token.
 */
function anonymousBrowser(event: Fact): string | null {
  return event.actor?.kind === "anonymous" ? event.actor.id.toLowerCase() : null;
}

/** chat_sessions: one row per session; a merge moves the merged user's sessions to its target. */
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
      case "ChatUserRegistered":
      case "ChatUserLinkedToOssUser":
      case "OssIdentityClaimed":
      case "OssIdentityReleased":
      case "ChatSessionContactSet":
      case "ChatSessionContactUpdated":
      case "ChatUserErased":
      case "RetentionApplied":
      case "LogReencrypted":
        return [];
      default: {
        const unhandled: never = event;
        throw new Error(`chat_sessions: unhandled event ${JSON.stringify(unhandled)}`);
      }
    }
  },
};
