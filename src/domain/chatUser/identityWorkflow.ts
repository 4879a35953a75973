import { ConflictError, NotFoundError } from "../errors";
import { chatUserIdForBrowser, chatUserIdForOssUser } from "./identityIds";
import { type Decision, type IdentityStates, type Origin, type OssLogin, Plan } from "./identityPlan";
import { ossUserOf } from "./state";

export type { Decision, IdentityStates, Origin, OssLogin, StreamEvents } from "./identityPlan";

// Who chats as whom, decided in one pure step over the OSS identity's stream and the chat users' streams:
// the decision is every event of every stream, appended together in one commit. When it needs a chat user it
// was not given, it asks for it ("read") and is asked again with it.

type Step<T> = { readonly read: string } | { readonly ok: T };

/** The chat user that chats for a browser: registered on first use, followed to its merge target after a merge. */
export function decideBrowserUser(
  browserUuid: string,
  states: IdentityStates,
  origin: Origin,
): Decision<{ chatUserId: string }> {
  const plan = new Plan(states, origin);
  const chatUserId = chatUserIdForBrowser(browserUuid);
  const state = plan.user(chatUserId);
  if (state === undefined) return { kind: "read", chatUserId };
  if (state.status === "merged") return plan.decided({ chatUserId: state.intoChatUserId }, null);
  plan.register(chatUserId, browserUuid, null);
  return plan.decided({ chatUserId }, null);
}

/** The one chat user of an OSS user: the identity is claimed and its chat user registered in one commit. */
export function decideOssUser(
  login: OssLogin,
  states: IdentityStates,
  origin: Origin,
): Decision<{ chatUserId: string }> {
  const plan = new Plan(states, origin);
  const step = resolveOssUser(plan, login, chatUserIdForOssUser(login.ossUserId));
  if ("read" in step) return { kind: "read", chatUserId: step.read };
  return plan.decided({ chatUserId: step.ok }, login.ossUserId);
}

/**
 * The chat user an OSS identity stands for, completing what an interrupted write left (a claim without its
 * chat user, or without the link of the browser's user it was claimed for). A claim held by a chat user of
 * another OSS user is released and `unclaimedFor` claims it afresh.
 */
function resolveOssUser(plan: Plan, login: OssLogin, unclaimedFor: string): Step<string> {
  const identity = plan.states.identity;
  if (identity.status === "claimed") {
    const held = settle(plan, identity.chatUserId, { ...login, email: identity.email });
    if (!("foreign" in held)) return held;
    plan.toIdentity({
      type: "ReleaseOssIdentity",
      ossUserId: login.ossUserId,
      chatUserId: identity.chatUserId,
    });
  }
  const settled = settle(plan, unclaimedFor, login);
  // Never another account's: it is the account's own chat user, or a browser's the conflict rule let through.
  if ("foreign" in settled) throw new Error(`chat user ${unclaimedFor} belongs to another OSS user`);
  if ("read" in settled) return settled;
  plan.claim(unclaimedFor, login);
  return settled;
}

/** Brings the chat user a claim points at to belong to the OSS user; "foreign" when it belongs to another. */
function settle(plan: Plan, chatUserId: string, login: OssLogin): Step<string> | { readonly foreign: true } {
  const state = plan.user(chatUserId);
  if (state === undefined) return { read: chatUserId };
  switch (state.status) {
    case "none":
      plan.register(chatUserId, null, login);
      return { ok: chatUserId };
    case "active": {
      const owner = state.snapshot.oss_user_id;
      if (owner === null) plan.link(chatUserId, login);
      return owner === null || owner === login.ossUserId ? { ok: chatUserId } : { foreign: true };
    }
    case "merged":
      return state.ossUserId === login.ossUserId ? { ok: state.intoChatUserId } : { foreign: true };
    default: {
      const unreachable: never = state;
      return unreachable;
    }
  }
}

/**
 * Links a browser's anonymous chat user to the OSS account it logged in as. The account's identity unclaimed
 * and no chat user of its own: the browser's user becomes it. The account has a chat user: the browser's is
 * merged into it. Linking again changes nothing.
 */
export function decideLinkUser(
  command: { readonly browserUuid: string; readonly login: OssLogin },
  states: IdentityStates,
  origin: Origin,
): Decision<{ chatUserId: string; merged: boolean }> {
  const { login } = command;
  const plan = new Plan(states, origin);
  const browserUserId = chatUserIdForBrowser(command.browserUuid);
  const user = plan.user(browserUserId);
  if (user === undefined) return { kind: "read", chatUserId: browserUserId };
  if (user.status === "none") throw new NotFoundError("No chat user exists for this browser_uuid");
  // The conflict rule, in this one place: a browser belongs to at most one OSS user. Every step below relies
  // on it; none writes anything before it holds.
  const owner = ossUserOf(user);
  if (owner !== null && owner !== login.ossUserId) {
    throw new ConflictError("This browser is already linked to another OSS user");
  }
  if (user.status === "merged") return plan.decided({ chatUserId: user.intoChatUserId, merged: true }, null);

  const ownId = chatUserIdForOssUser(login.ossUserId);
  let unclaimedFor = ownId;
  if (states.identity.status === "unclaimed") {
    const own = plan.user(ownId);
    if (own === undefined) return { kind: "read", chatUserId: ownId };
    if (own.status === "none") unclaimedFor = browserUserId;
  }
  const target = resolveOssUser(plan, login, unclaimedFor);
  if ("read" in target) return { kind: "read", chatUserId: target.read };
  const intoChatUserId = target.ok;
  if (intoChatUserId === browserUserId) {
    return plan.decided({ chatUserId: browserUserId, merged: false }, login.ossUserId);
  }
  const into = plan.user(intoChatUserId);
  if (into === undefined) return { kind: "read", chatUserId: intoChatUserId };
  if (into.status !== "active") throw new ConflictError("The OSS user's chat user is not active");
  plan.toUser(browserUserId, {
    type: "MergeChatUser",
    chatUserId: browserUserId,
    intoChatUserId,
    ossUserId: login.ossUserId,
    email: login.email,
    into: into.snapshot,
  });
  return plan.decided({ chatUserId: intoChatUserId, merged: true }, login.ossUserId);
}
