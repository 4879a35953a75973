import type { Fact } from "../events/chatEvents";
import { ERASED } from "../events/recorded";
import type { Projection, RowOp } from "./rowOps";

/** chat_messages: one row per posted message, unique by (session_id, seq) and (session_id, client_message_id). */
export const chatMessagesProjection: Projection = {
  name: "chat_messages",
  table: "chat_messages",
  project(event: Fact): RowOp[] {
    switch (event.type) {
      case "ChatMessagePosted": {
        const d = event.data;
        return [
          {
            kind: "upsert",
            table: "chat_messages",
            conflict: ["id"],
            onConflict: "keep",
            row: {
              id: d.message_id,
              session_id: d.session_id,
              seq: d.seq,
              client_message_id: d.client_message_id,
              author_kind: d.author_kind,
              author_id: d.author_id,
              author_name: d.author_name,
              body: d.body,
              created_at: event.occurredAt,
            },
          },
        ];
      }
      // A data subject's erasure blanks the bodies and author names of their sessions' messages.
      case "ChatUserErased":
        return [{ kind: "erase", table: "chat_messages", chatUserIds: event.data.erased_chat_user_ids }];
      // Retention shreds the bodies of sessions closed long ago; the rest of each message stays.
      case "RetentionApplied":
        return event.data.session_ids.map((sessionId) => ({
          kind: "update" as const,
          table: "chat_messages" as const,
          where: { session_id: sessionId },
          set: { body: ERASED },
        }));
      default:
        // Every other event leaves this table as it is.
        return [];
    }
  },
};
