import type { Fact } from "../events/chatEvents";
import type { Projection, RowOp } from "./rowOps";

/** chat_agents: one row per agent who has set a status; auto-routing picks the available ones. */
export const chatAgentsProjection: Projection = {
  name: "chat_agents",
  table: "chat_agents",
  project(event: Fact): RowOp[] {
    switch (event.type) {
      case "AgentStatusChanged":
        return [
          {
            kind: "upsert",
            table: "chat_agents",
            conflict: ["id"],
            onConflict: "replace",
            row: {
              id: event.data.agent_id,
              name: event.data.agent_name,
              status: event.data.status,
              updated_at: event.occurredAt,
            },
          },
        ];
      case "ChatUserRegistered":
      case "ChatUserLinkedToOssUser":
      case "ChatUserMergedInto":
      case "OssIdentityClaimed":
      case "OssIdentityReleased":
      case "ChatSessionStarted":
      case "ChatSessionContactSet":
      case "ChatSessionContactUpdated":
      case "ChatMessagePosted":
      case "ChatSessionAssigned":
      case "ChatSessionClosed":
      case "ChatSessionRated":
      case "ChatMessagesRead":
      case "ChatUserErased":
      case "RetentionApplied":
      case "ChatNoteAdded":
      case "ChatLabelsSet":
      case "CannedResponseSaved":
      case "CannedResponseDeleted":
      case "LogReencrypted":
        return [];
      default: {
        const unhandled: never = event;
        throw new Error(`chat_agents: unhandled event ${JSON.stringify(unhandled)}`);
      }
    }
  },
};
