import type { Fact } from "../events/chatEvents";

/** Which chat user holds an OSS identity: the write-side guarantee of one chat user per OSS user id. */
export type OssIdentityState =
  | { readonly status: "unclaimed" }
  | { readonly status: "claimed"; readonly chatUserId: string; readonly email: string };

export const initialOssIdentity: OssIdentityState = { status: "unclaimed" };

export function evolveOssIdentity(state: OssIdentityState, event: Fact): OssIdentityState {
  switch (event.type) {
    case "OssIdentityClaimed":
      return { status: "claimed", chatUserId: event.data.chat_user_id, email: event.data.email };
    case "OssIdentityReleased":
      return { status: "unclaimed" };
    case "ChatUserRegistered":
    case "ChatUserLinkedToOssUser":
    case "ChatUserMergedInto":
    case "ChatSessionStarted":
    case "ChatSessionContactSet":
    case "ChatSessionContactUpdated":
    case "ChatMessagePosted":
    case "ChatSessionAssigned":
    case "ChatSessionClosed":
    case "ChatSessionRated":
    case "ChatMessagesRead":
    case "AgentStatusChanged":
    case "ChatUserErased":
    case "RetentionApplied":
    case "ChatNoteAdded":
    case "ChatLabelsSet":
    case "CannedResponseSaved":
    case "CannedResponseDeleted":
    case "LogReencrypted":
      return state;
    default: {
      const unhandled: never = event;
      return unhandled;
    }
  }
}
