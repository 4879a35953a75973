import type { RequestContext } from "../events/metadata";
import { streams } from "../events/streams";
import type { ExpectedRevision } from "../eventstore/eventStore";
import type { ChatUserState } from "./chatUser";
import { evolveChatUser, initialChatUser } from "./chatUser";
import type { CommandDeps } from "./deps";
import { type DecidedWrite, type LoadedStream, loadStream } from "./handler";
import type { Decision, IdentityStates, Origin, StreamEvents } from "./identityWorkflow";
import { evolveOssIdentity, initialOssIdentity } from "./ossIdentity";

export { chatUserIdForBrowser, chatUserIdForOssUser, identityOwner } from "./identityIds";

export const loadChatUser = (deps: CommandDeps, chatUserId: string) =>
  loadStream(deps.store, streams.chatUser(chatUserId), evolveChatUser, initialChatUser);

export const loadOssIdentity = (deps: CommandDeps, ossUserId: string) =>
  loadStream(deps.store, streams.ossIdentity(ossUserId), evolveOssIdentity, initialOssIdentity);

/** A decision of the identity workflow, and the revision of every stream it was decided on. */
export interface IdentityDecision<R> {
  readonly result: R;
  readonly writes: readonly StreamEvents[];
  readonly revisions: ReadonlyMap<string, ExpectedRevision>;
  /** Position of each chat user's last event (read-your-writes when nothing is appended). */
  readonly positions: ReadonlyMap<string, bigint | null>;
}

/** A chat user stream read in a decision can be followed this many times (merges, claims) before giving up. */
const MAX_READS = 16;

/**
 * Runs a workflow decision: reads the OSS identity (if any) and the chat users it is likely to need at once,
 * then any other chat user it asks for, and decides again with it.
 */
export async function decideIdentity<R>(
  deps: CommandDeps,
  ossUserId: string | null,
  prefetch: readonly string[],
  decide: (states: IdentityStates) => Decision<R>,
): Promise<IdentityDecision<R>> {
  const users = new Map<string, ChatUserState>();
  const revisions = new Map<string, ExpectedRevision>();
  const positions = new Map<string, bigint | null>();
  const keep = (chatUserId: string, loaded: LoadedStream<ChatUserState>) => {
    users.set(chatUserId, loaded.state);
    revisions.set(streams.chatUser(chatUserId), loaded.expected);
    positions.set(chatUserId, loaded.position);
  };
  const [identity, ...prefetched] = await Promise.all([
    ossUserId === null ? null : loadOssIdentity(deps, ossUserId),
    ...prefetch.map((id) => loadChatUser(deps, id)),
  ]);
  if (ossUserId !== null && identity) revisions.set(streams.ossIdentity(ossUserId), identity.expected);
  prefetch.forEach((id, i) => {
    const loaded = prefetched[i];
    if (loaded) keep(id, loaded);
  });
  const states = () => ({ identity: identity?.state ?? initialOssIdentity, users });
  for (let reads = 0; ; reads++) {
    const decision = decide(states());
    if (decision.kind === "decided") {
      return { result: decision.result, writes: decision.writes, revisions, positions };
    }
    if (reads >= MAX_READS || users.has(decision.chatUserId)) {
      throw new Error(`identity decision keeps asking for chat user ${decision.chatUserId}`);
    }
    keep(decision.chatUserId, await loadChatUser(deps, decision.chatUserId));
  }
}

/** The decided events as writes at the revisions they were decided on (a stream never read must not exist). */
export function writesAt(decision: IdentityDecision<unknown>): DecidedWrite[] {
  return decision.writes.map((w) => ({ ...w, expected: decision.revisions.get(w.streamId) ?? "no_stream" }));
}

/** The request's origin at one instant: the events' metadata and the states folded from them agree. */
export function originOf(ctx: RequestContext): { ctx: RequestContext; origin: Origin } {
  const at = ctx.now();
  return {
    ctx: { ...ctx, now: () => at },
    origin: { ipAddress: ctx.ip, userAgent: ctx.userAgent, occurredAt: at.toISOString() },
  };
}
