import type { ChatUserSnapshot, DomainEvent, EventOf, Fact } from "../events/chatEvents";

export type ChatUserState =
  | { readonly status: "none" }
  | { readonly status: "active"; readonly chatUserId: string; readonly snapshot: ChatUserSnapshot }
  | {
      readonly status: "merged";
      readonly chatUserId: string;
      readonly intoChatUserId: string;
      readonly ossUserId: string;
    };

export const initialChatUser: ChatUserState = { status: "none" };

export function evolveChatUser(state: ChatUserState, event: Fact): ChatUserState {
  switch (event.type) {
    case "ChatUserRegistered": {
      const d = event.data;
      return {
        status: "active",
        chatUserId: d.chat_user_id,
        snapshot: {
          browser_uuid: d.browser_uuid,
          oss_user_id: d.oss_user_id,
          email: d.email,
          is_anonymous: d.is_anonymous,
          ip_address: d.ip_address,
          user_agent: d.user_agent,
          created_at: event.occurredAt,
          updated_at: event.occurredAt,
        },
      };
    }
    case "ChatUserLinkedToOssUser":
      if (state.status !== "active") return state;
      return {
        ...state,
        snapshot: {
          ...state.snapshot,
          oss_user_id: event.data.oss_user_id,
          email: event.data.email,
          is_anonymous: false,
          updated_at: event.occurredAt,
        },
      };
    case "ChatUserMergedInto":
      return {
        status: "merged",
        chatUserId: event.data.chat_user_id,
        intoChatUserId: event.data.into_chat_user_id,
        ossUserId: event.data.oss_user_id,
      };
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

export type RegisterChatUser = {
  readonly chatUserId: string;
  readonly browserUuid: string | null;
  readonly oss: { readonly ossUserId: string; readonly email: string } | null;
  readonly ipAddress: string;
  readonly userAgent: string | null;
};

/** Registering is idempotent: a user that exists already stays as it is. */
export function decideRegister(command: RegisterChatUser, state: ChatUserState): DomainEvent[] {
  if (state.status !== "none") return [];
  const event: EventOf<"ChatUserRegistered"> = {
    type: "ChatUserRegistered",
    data: {
      chat_user_id: command.chatUserId,
      browser_uuid: command.browserUuid,
      oss_user_id: command.oss?.ossUserId ?? null,
      email: command.oss?.email ?? null,
      is_anonymous: command.oss === null,
      ip_address: command.ipAddress,
      user_agent: command.userAgent,
    },
  };
  return [event];
}

/** The OSS user a chat user belongs to, if any. */
export function ossUserOf(state: ChatUserState): string | null {
  if (state.status === "merged") return state.ossUserId;
  if (state.status === "active") return state.snapshot.oss_user_id;
  return null;
}
