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

/**
 * Whether the caller owns sessions started by `chatUserId`, read from the event store (the read model may not
 * show a session started a moment ago): the browser's chat user or the OSS user's, following merges.
 */
export async function ownsSessionsOf(
  deps: CommandDeps,
  chatUserId: string,
  access: SessionAccess,
): Promise<boolean> {
  if (access.anySession) return true;
  const owner = await currentChatUser(deps, chatUserId);
  if (access.browserUuid !== null) {
    const browser = await currentChatUser(deps, chatUserIdForBrowser(access.browserUuid));
    if (browser.state.status !== "none" && browser.id === owner.id) return true;
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
