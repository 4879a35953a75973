import { v5 as uuidv5 } from "uuid";
import type { Fact } from "../events/chatEvents";
import type { RequestContext } from "../events/metadata";
import { streams } from "../events/streams";
import type { ChatUserState } from "./chatUser";
import { decideLink, decideRegister, evolveChatUser, initialChatUser } from "./chatUser";
import type { CommandDeps } from "./deps";
import { appendDecided, loadStream } from "./handler";
import { decideClaim, decideRelease, evolveOssIdentity, initialOssIdentity } from "./ossIdentity";

// Fixed namespaces: a chat user's id is derived from its identity, so "stream must not exist" makes it unique.
const BROWSER_NAMESPACE = "0d6f7a52-6c1e-4a8e-9a57-3f4f5b2c9a01";
const OSS_NAMESPACE = "7b1c2f0e-5d3a-4f6b-8e21-9c4d2a7e6b02";

export const chatUserIdForBrowser = (browserUuid: string) =>
  uuidv5(browserUuid.toLowerCase(), BROWSER_NAMESPACE);
export const chatUserIdForOssUser = (ossUserId: string) => uuidv5(ossUserId, OSS_NAMESPACE);

/** An identity stream's events share one bus key, whoever claims it, so they stay in order. */
export const identityOwner = (ossUserId: string) => chatUserIdForOssUser(ossUserId);

export const loadChatUser = (deps: CommandDeps, chatUserId: string) =>
  loadStream(deps.store, streams.chatUser(chatUserId), evolveChatUser, initialChatUser);

export const loadOssIdentity = (deps: CommandDeps, ossUserId: string) =>
  loadStream(deps.store, streams.ossIdentity(ossUserId), evolveOssIdentity, initialOssIdentity);

export interface ResolvedUser {
  readonly chatUserId: string;
  readonly state: ChatUserState;
}

/** The chat user that chats for a browser: registered on first use, followed to its merge target after a merge. */
export async function resolveBrowserUser(
  deps: CommandDeps,
  browserUuid: string,
  ctx: RequestContext,
): Promise<ResolvedUser> {
  const chatUserId = chatUserIdForBrowser(browserUuid);
  const loaded = await loadChatUser(deps, chatUserId);
  if (loaded.state.status === "merged") {
    const into = loaded.state.intoChatUserId;
    return { chatUserId: into, state: (await loadChatUser(deps, into)).state };
  }
  if (loaded.state.status === "active") return { chatUserId, state: loaded.state };
  const events = decideRegister(
    { chatUserId, browserUuid, oss: null, ipAddress: ctx.ip, userAgent: ctx.userAgent },
    loaded.state,
  );
  // The state after the append is folded here from what was appended, at the instant it records: no re-read.
  const at = ctx.now();
  await appendDecided(
    deps.store,
    streams.chatUser(chatUserId),
    loaded,
    events,
    { ...ctx, now: () => at },
    chatUserId,
  );
  const occurredAt = at.toISOString();
  const state = events.reduce<ChatUserState>(
    (s, e) => evolveChatUser(s, { ...e, occurredAt } as Fact),
    loaded.state,
  );
  return { chatUserId, state };
}

/**
 * The one chat user of an OSS user. The identity stream is claimed first ("must not exist"), then the chat
 * user is registered; every step can be interrupted and the next call completes it.
 */
export async function resolveOssUser(
  deps: CommandDeps,
  oss: { ossUserId: string; email: string },
  ctx: RequestContext,
): Promise<string> {
  const identityStream = streams.ossIdentity(oss.ossUserId);
  const identity = await loadOssIdentity(deps, oss.ossUserId);
  if (identity.state.status === "unclaimed") {
    const chatUserId = chatUserIdForOssUser(oss.ossUserId);
    const claim = decideClaim({ ...oss, chatUserId }, identity.state);
    await appendDecided(deps.store, identityStream, identity, claim, ctx, identityOwner(oss.ossUserId));
    return resolveOssUser(deps, oss, ctx);
  }
  const { chatUserId, email } = identity.state;
  const user = await loadChatUser(deps, chatUserId);
  switch (user.state.status) {
    case "none": {
      const events = decideRegister(
        {
          chatUserId,
          browserUuid: null,
          oss: { ossUserId: oss.ossUserId, email },
          ipAddress: ctx.ip,
          userAgent: ctx.userAgent,
        },
        user.state,
      );
      await appendDecided(deps.store, streams.chatUser(chatUserId), user, events, ctx, chatUserId);
      return chatUserId;
    }
    case "merged":
      if (user.state.ossUserId === oss.ossUserId) return user.state.intoChatUserId;
      break;
    case "active": {
      const owner = user.state.snapshot.oss_user_id;
      if (owner === oss.ossUserId) return chatUserId;
      if (owner === null) {
        // A link that claimed the identity but stopped before linking the browser's user: finish it.
        const events = decideLink({ ossUserId: oss.ossUserId, email }, user.state);
        await appendDecided(deps.store, streams.chatUser(chatUserId), user, events, ctx, chatUserId);
        return chatUserId;
      }
      break;
    }
    default: {
      const unreachable: never = user.state;
      return unreachable;
    }
  }
  // The claim points at a chat user that belongs to someone else: release it and claim afresh.
  const release = decideRelease(oss.ossUserId, identity.state);
  await appendDecided(deps.store, identityStream, identity, release, ctx, identityOwner(oss.ossUserId));
  return resolveOssUser(deps, oss, ctx);
}
