import type { DomainEvent, Fact } from "../events/chatEvents";

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

export type ClaimOssIdentity = {
  readonly ossUserId: string;
  readonly chatUserId: string;
  readonly email: string;
};

/** Claims an unclaimed identity; a claimed one changes nothing (the caller reads who holds it). */
export function decideClaim(command: ClaimOssIdentity, state: OssIdentityState): DomainEvent[] {
  if (state.status === "claimed") return [];
  return [
    {
      type: "OssIdentityClaimed",
      data: { oss_user_id: command.ossUserId, chat_user_id: command.chatUserId, email: command.email },
    },
  ];
}

/** Releases a claim left dangling by an interrupted link (its chat user ended up with another OSS user). */
export function decideRelease(ossUserId: string, state: OssIdentityState): DomainEvent[] {
  if (state.status !== "claimed") return [];
  return [{ type: "OssIdentityReleased", data: { oss_user_id: ossUserId, chat_user_id: state.chatUserId } }];
}
