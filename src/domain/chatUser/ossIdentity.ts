import type { Decider } from "../decider";
import type { OssIdentityEvent, OssIdentityFact } from "./events";

/** Which chat user holds an OSS identity: the write-side guarantee of one chat user per OSS user id. */
export type OssIdentityState =
  | { readonly status: "unclaimed" }
  | { readonly status: "claimed"; readonly chatUserId: string; readonly email: string };

export const initialOssIdentity: OssIdentityState = { status: "unclaimed" };

export function evolveOssIdentity(state: OssIdentityState, event: OssIdentityFact): OssIdentityState {
  switch (event.type) {
    case "OssIdentityClaimed":
      return { status: "claimed", chatUserId: event.data.chat_user_id, email: event.data.email };
    case "OssIdentityReleased":
      return { status: "unclaimed" };
    default: {
      // Every event of the identity's stream is handled above; anything else read from it changes nothing.
      const _unhandled: never = event;
      return state;
    }
  }
}

/** What can be asked of an OSS identity's stream: claim it for a chat user, or release a stale claim. */
export type OssIdentityCommand =
  | {
      readonly type: "ClaimOssIdentity";
      readonly ossUserId: string;
      readonly chatUserId: string;
      readonly email: string;
    }
  | { readonly type: "ReleaseOssIdentity"; readonly ossUserId: string; readonly chatUserId: string };

/** The identity workflow (identityWorkflow.ts) decides when; this says what is written. */
export function decideOssIdentity(command: OssIdentityCommand, _state: OssIdentityState): OssIdentityEvent[] {
  switch (command.type) {
    case "ClaimOssIdentity":
      return [
        {
          type: "OssIdentityClaimed",
          data: { oss_user_id: command.ossUserId, chat_user_id: command.chatUserId, email: command.email },
        },
      ];
    case "ReleaseOssIdentity":
      return [
        {
          type: "OssIdentityReleased",
          data: { oss_user_id: command.ossUserId, chat_user_id: command.chatUserId },
        },
      ];
    default: {
      const unhandled: never = command;
      throw new Error(`unhandled OSS identity command ${JSON.stringify(unhandled)}`);
    }
  }
}

export const ossIdentityDecider: Decider<
  OssIdentityState,
  OssIdentityCommand,
  OssIdentityEvent,
  OssIdentityFact
> = {
  initialState: initialOssIdentity,
  evolve: evolveOssIdentity,
  decide: decideOssIdentity,
};
