import { streams } from "../events/streams";
import type { ChatUserState } from "./chatUser";
import { ossUserOf } from "./chatUser";
import type { CommandDeps } from "./deps";
import { chatUserIdForBrowser, loadChatUser, loadOssIdentity } from "./identities";

/** Who asks to act on a session, as the HTTP edge proved it. */
export interface SessionAccess {
  /** Staff whose role allows acting on any session. */
  readonly anySession: boolean;
  readonly browserUuid: string | null;
  readonly ossUserId: string | null;
}

/** The chat user a chat user's sessions belong to now: itself, or the one it was merged into. */
async function currentChatUser(
  deps: CommandDeps,
  chatUserId: string,
): Promise<{ id: string; state: ChatUserState }> {
  let id = chatUserId;
  for (let hop = 0; hop < 5; hop++) {
    const { state } = await loadChatUser(deps, id);
    if (state.status !== "merged") return { id, state };
    id = state.intoChatUserId;
  }
  return { id, state: { status: "none" } };
}

/** Whether the session's start was recorded with this browser as its anonymous actor. */
async function startedAnonymouslyBy(deps: CommandDeps, sessionId: string, browserUuid: string) {
  const [start] = await deps.store.readStream(streams.chatSession(sessionId));
  const actor = start?.metadata.actor;
  return actor?.kind === "anonymous" && actor.id.toLowerCase() === browserUuid;
}

/**
 * Whether the caller owns a session, read from the event store (the read model may not show a session
 * started a moment ago): the browser that started it anonymously, or the OSS user whose chat user holds it
 * (following merges). A browser linked to an account does not act on the account's other sessions.
 */
export async function ownsSession(
  deps: CommandDeps,
  session: { readonly sessionId: string; readonly chatUserId: string },
  access: SessionAccess,
): Promise<boolean> {
  if (access.anySession) return true;
  const owner = await currentChatUser(deps, session.chatUserId);
  if (access.browserUuid !== null) {
    const browser = await currentChatUser(deps, chatUserIdForBrowser(access.browserUuid));
    if (browser.state.status !== "none" && browser.id === owner.id) {
      // A browser that was never linked started every session of its chat user anonymously; once linked,
      // its chat user also holds the account's sessions, so the session's own start decides.
      if (ossUserOf(browser.state) === null) return true;
      if (await startedAnonymouslyBy(deps, session.sessionId, access.browserUuid)) return true;
    }
  }
  if (access.ossUserId !== null) {
    const identity = await loadOssIdentity(deps, access.ossUserId);
    if (identity.state.status === "claimed") {
      const user = await currentChatUser(deps, identity.state.chatUserId);
      if (user.id === owner.id && ossUserOf(user.state) === access.ossUserId) return true;
    }
  }
  return false;
}
