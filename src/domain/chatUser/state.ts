import type { ChatUserFact, ChatUserSnapshot } from "./events";

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

export function evolveChatUser(state: ChatUserState, event: ChatUserFact): ChatUserState {
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
    case "ChatUserErased":
      return state;
    default: {
      // Every event of the chat user's stream is handled above; anything else read from it changes nothing.
      const _unhandled: never = event;
      return state;
    }
  }
}

/** The OSS user a chat user belongs to, if any. */
export function ossUserOf(state: ChatUserState): string | null {
  if (state.status === "merged") return state.ossUserId;
  if (state.status === "active") return state.snapshot.oss_user_id;
  return null;
}
