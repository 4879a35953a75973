import type { EventOf, Fact } from "../events/chatEvents";
import type { Actor } from "../events/metadata";

/** What erasing needs to know of a chat user's stream. */
export type ErasureState =
  | { readonly status: "none" }
  | { readonly status: "present" }
  | { readonly status: "erased" };

export const initialErasure: ErasureState = { status: "none" };

export function evolveErasure(state: ErasureState, event: Fact): ErasureState {
  if (event.type === "ChatUserErased") return { status: "erased" };
  return state.status === "none" ? { status: "present" } : state;
}

export interface EraseChatUser {
  readonly chatUserId: string;
  /** The user and the chat users merged into it. */
  readonly chatUserIds: readonly string[];
  readonly erasedBy: Actor;
  readonly reason: EventOf<"ChatUserErased">["data"]["reason"];
  readonly reference: string | null;
}

/** Erasing records who and why, once: a user erased already is a no-op; a user that never existed is null. */
export function decideErase(command: EraseChatUser, state: ErasureState): EventOf<"ChatUserErased">[] | null {
  if (state.status === "none") return null;
  if (state.status === "erased") return [];
  return [
    {
      type: "ChatUserErased",
      data: {
        chat_user_id: command.chatUserId,
        erased_chat_user_ids: [...new Set([command.chatUserId, ...command.chatUserIds])],
        erased_by: command.erasedBy,
        reason: command.reason,
        reference: command.reference,
      },
    },
  ];
}
