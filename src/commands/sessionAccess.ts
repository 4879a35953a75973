import { chatUserIdForBrowser } from "../domain/chatUser/identityIds";
import type { Decision, IdentityStates } from "../domain/chatUser/identityWorkflow";
import type { ChatUserState } from "../domain/chatUser/state";
import { ossUserOf } from "../domain/chatUser/state";
import { streams } from "../domain/streams";
import type { Actor } from "../events/metadata";
import type { StreamCheck } from "../eventstore/eventStore";
import type { CommandDeps } from "./deps";
import { checksAt, decideIdentity, type LoadOptions } from "./identities";

/** Who asks to act on a session, as the HTTP edge proved it. */
export interface SessionAccess {
  /** Staff whose role allows acting on any session. */
  readonly anySession: boolean;
  readonly browserUuid: string | null;
  readonly ossUserId: string | null;
}

/** Staff whose role allows acting on any session, or the system: no ownership to check. */
export const anySessionAccess: SessionAccess = { anySession: true, browserUuid: null, ossUserId: null };

/** A session as ownership sees it: the chat user that started it, and who started it (when known yet). */
export interface SessionOrigin {
  readonly chatUserId: string;
  /** The actor of the session's first event; "unread" until it is needed. */
  readonly startedBy: Actor | null | "unread";
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
 * Whether the caller owns a session (pure, over the identity workflow's states): the browser that started it
 * anonymously, or the OSS user whose chat user holds it (following merges). A browser linked to an account
 * does not act on the account's other sessions. "start" asks for the session's first actor.
 */
export function decideSessionAccess(
  session: SessionOrigin,
  access: SessionAccess,
  states: IdentityStates,
): Decision<boolean | "start"> {
  const owns = (result: boolean | "start"): Decision<boolean | "start"> => ({
    kind: "decided",
    result,
    writes: [],
  });
  if (access.anySession) return owns(true);
  const owner = current(states, session.chatUserId);
  if ("read" in owner) return { kind: "read", chatUserId: owner.read };
  if (access.browserUuid !== null) {
    const browser = current(states, chatUserIdForBrowser(access.browserUuid));
    if ("read" in browser) return { kind: "read", chatUserId: browser.read };
    if (browser.state.status !== "none" && browser.id === owner.id) {
      // A browser never linked started every session of its chat user anonymously; once linked, its chat
      // user also holds the account's sessions, so the session's own start decides.
      if (ossUserOf(browser.state) === null) return owns(true);
      if (session.startedBy === "unread") return owns("start");
      const by = session.startedBy;
      if (by?.kind === "anonymous" && by.id.toLowerCase() === access.browserUuid) return owns(true);
    }
  }
  if (access.ossUserId !== null && states.identity.status === "claimed") {
    const user = current(states, states.identity.chatUserId);
    if ("read" in user) return { kind: "read", chatUserId: user.read };
    if (user.id === owner.id && ossUserOf(user.state) === access.ossUserId) return owns(true);
  }
  return owns(false);
}

/**
 * Whether the caller owns a session, read from the event store (the read model may not show a session
 * started a moment ago).
 */
export async function ownsSession(
  deps: CommandDeps,
  session: { readonly sessionId: string; readonly chatUserId: string },
  access: SessionAccess,
): Promise<boolean> {
  return (await sessionOwnership(deps, session, access)).owns;
}

/** Whether the caller owns a session, and (decided on remembered states) the streams an append must check. */
export interface Ownership {
  readonly owns: boolean;
  readonly checks: readonly StreamCheck[];
}

/** ownsSession, answering also what its decision must be checked against when taken on remembered states. */
export async function sessionOwnership(
  deps: CommandDeps,
  session: { readonly sessionId: string; readonly chatUserId: string },
  access: SessionAccess,
  options: LoadOptions = {},
): Promise<Ownership> {
  if (access.anySession) return { owns: true, checks: [] };
  const prefetch = [session.chatUserId];
  if (access.browserUuid !== null) prefetch.push(chatUserIdForBrowser(access.browserUuid));
  let origin: SessionOrigin = { chatUserId: session.chatUserId, startedBy: "unread" };
  for (;;) {
    const decision = await decideIdentity(
      deps,
      access.ossUserId,
      [...new Set(prefetch)],
      (states) => decideSessionAccess(origin, access, states),
      options,
    );
    if (decision.result !== "start") return { owns: decision.result, checks: checksAt(decision) };
    const [start] = await deps.store.readStream(streams.chatSession(session.sessionId));
    origin = { ...origin, startedBy: start?.metadata.actor ?? null };
  }
}
