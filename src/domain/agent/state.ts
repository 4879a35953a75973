import type { Fact } from "../../events/chatEvents";

export type AgentAvailability = "available" | "away";

/** An agent's stream: whether it takes chats. An agent that never said so is away. */
export type AgentState = { readonly status: "none" } | { readonly status: AgentAvailability };

export const initialAgent: AgentState = { status: "none" };

export function evolveAgent(state: AgentState, event: Fact): AgentState {
  switch (event.type) {
    case "AgentStatusChanged":
      return { status: event.data.status };
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
    case "LogReencrypted":
      return state;
    default: {
      const unhandled: never = event;
      return unhandled;
    }
  }
}
