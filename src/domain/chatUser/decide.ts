import type { Decider } from "../decider";
import type { ChatUserEvent, ChatUserFact, ChatUserSnapshot } from "./events";
import { type ChatUserState, evolveChatUser, initialChatUser } from "./state";

export type RegisterChatUser = {
  readonly chatUserId: string;
  readonly browserUuid: string | null;
  readonly oss: { readonly ossUserId: string; readonly email: string } | null;
  readonly ipAddress: string;
  readonly userAgent: string | null;
};

/** Registering is idempotent: a user that exists already stays as it is. */
export function decideRegister(command: RegisterChatUser, state: ChatUserState): ChatUserEvent[] {
  if (state.status !== "none") return [];
  const event: ChatUserEvent = {
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

export type LinkChatUser = {
  readonly chatUserId: string;
  readonly ossUserId: string;
  readonly email: string;
};

/** A chat user takes on the OSS account it logged in as (the identity workflow decides when). */
export function decideLink(command: LinkChatUser, _state: ChatUserState): ChatUserEvent[] {
  return [
    {
      type: "ChatUserLinkedToOssUser",
      data: { chat_user_id: command.chatUserId, oss_user_id: command.ossUserId, email: command.email },
    },
  ];
}

export type MergeChatUser = {
  readonly chatUserId: string;
  readonly intoChatUserId: string;
  readonly ossUserId: string;
  readonly email: string;
  /** The target's state, carried so its read row can exist before its own events are applied. */
  readonly into: ChatUserSnapshot;
};

/** An anonymous chat user whose OSS account has a chat user already is merged into it. */
export function decideMerge(command: MergeChatUser, _state: ChatUserState): ChatUserEvent[] {
  return [
    {
      type: "ChatUserMergedInto",
      data: {
        chat_user_id: command.chatUserId,
        into_chat_user_id: command.intoChatUserId,
        oss_user_id: command.ossUserId,
        email: command.email,
        into: command.into,
      },
    },
  ];
}

/** What can be asked of a chat user's stream. */
export type ChatUserCommand =
  | ({ readonly type: "RegisterChatUser" } & RegisterChatUser)
  | ({ readonly type: "LinkChatUser" } & LinkChatUser)
  | ({ readonly type: "MergeChatUser" } & MergeChatUser);

export function decideChatUser(command: ChatUserCommand, state: ChatUserState): ChatUserEvent[] {
  switch (command.type) {
    case "RegisterChatUser":
      return decideRegister(command, state);
    case "LinkChatUser":
      return decideLink(command, state);
    case "MergeChatUser":
      return decideMerge(command, state);
    default: {
      const unhandled: never = command;
      throw new Error(`unhandled chat user command ${JSON.stringify(unhandled)}`);
    }
  }
}

export const chatUserDecider: Decider<ChatUserState, ChatUserCommand, ChatUserEvent, ChatUserFact> = {
  initialState: initialChatUser,
  evolve: evolveChatUser,
  decide: decideChatUser,
};
