import type { ChatUserState } from "./chatUser";
import { ossUserOf } from "./chatUser";
import type { CommandDeps } from "./deps";
import { decideIdentity } from "./identities";
import { chatUserIdForBrowser } from "./identityIds";
import type { Decision, IdentityStates } from "./identityWorkflow";

/** Who asks to act on a session, as the HTTP edge proved it. */
export interface SessionAccess {
  /** Staff whose role allows acting on any session. */
  readonly anySession: boolean;
  readonly browserUuid: string | null;
  readonly ossUserId: string | null;
}

/** Merges are followed this far; a longer chain reads as nobody's. */
const MAX_HOPS = 5;

type Followed = { readonly read: string } | { readonly id: string; readonly state: ChatUserState };

/** The chat user a chat user's sessions belong to now: itself, or the one it was merged into. */
function current(states: IdentityStates, chatUserId: string): Followed {
  let id = chatUserId;
  for (let hop = 0; hop < MAX_HOPS; hop++) {
    const state = states.users.get(id);
    if (state === undefined) return { read: id };
    if (state.status !== "merged") return { id, state };
    id = state.intoChatUserId;
  }
  return { id, state: { status: "none" } };
}

/**
 * Whether the caller owns sessions started by `chatUserId` (pure, over the identity workflow's states): the
 * browser's chat user or the OSS user's, following merges. Reads nothing it is not given; asks instead.
 */
export function decideSessionAccess(
  chatUserId: string,
  access: SessionAccess,
  states: IdentityStates,
): Decision<boolean> {
  const owns = (result: boolean): Decision<boolean> => ({ kind: "decided", result, writes: [] });
  if (access.anySession) return owns(true);
  const owner = current(states, chatUserId);
  if ("read" in owner) return { kind: "read", chatUserId: owner.read };
  if (access.browserUuid !== null) {
    const browser = current(states, chatUserIdForBrowser(access.browserUuid));
    if ("read" in browser) return { kind: "read", chatUserId: browser.read };
    if (browser.state.status !== "none" && browser.id === owner.id) return owns(true);
  }
  if (access.ossUserId !== null && states.identity.status === "claimed") {
    const user = current(states, states.identity.chatUserId);
    if ("read" in user) return { kind: "read", chatUserId: user.read };
    if (user.id === owner.id && ossUserOf(user.state) === access.ossUserId) return owns(true);
  }
  return owns(false);
}

/**
 * Whether the caller owns sessions started by `chatUserId`, read from the event store (the read model may not
 * show a session started a moment ago).
 */
export async function ownsSessionsOf(
  deps: CommandDeps,
  chatUserId: string,
  access: SessionAccess,
): Promise<boolean> {
  if (access.anySession) return true;
  const prefetch = [chatUserId];
  if (access.browserUuid !== null) prefetch.push(chatUserIdForBrowser(access.browserUuid));
  const decision = await decideIdentity(deps, access.ossUserId, [...new Set(prefetch)], (states) =>
    decideSessionAccess(chatUserId, access, states),
  );
  return decision.result;
}
