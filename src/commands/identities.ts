import type { Decision, IdentityStates, Origin, StreamEvents } from "../domain/chatUser/identityWorkflow";
import { evolveOssIdentity, initialOssIdentity, type OssIdentityState } from "../domain/chatUser/ossIdentity";
import type { ChatUserState } from "../domain/chatUser/state";
import { evolveChatUser, initialChatUser } from "../domain/chatUser/state";
import { streams } from "../domain/streams";
import type { Fact } from "../events/chatEvents";
import type { RequestContext } from "../events/metadata";
import type { ExpectedRevision, StreamCheck } from "../eventstore/eventStore";
import type { CommandDeps } from "./deps";
import { type AppendedWrite, type DecidedWrite, type LoadedStream, loadStream } from "./handler";
import type { StreamCache } from "./streamCache";

export { chatUserIdForBrowser, chatUserIdForOssUser, identityOwner } from "../domain/chatUser/identityIds";

/** How a decision loads the streams it needs. */
export interface LoadOptions {
  /**
   * Take the state this process remembers (a stream it does not know as not existing) without reading: the
   * decision's append must then be checked at those revisions (`checksAt`).
   */
  readonly remembered?: boolean;
}

/** A loaded stream, and whether it was read now or taken as remembered (unverified). */
type Loaded<S> = LoadedStream<S> & { readonly unverified: boolean };

/** A stream from the remembered states (read through them, or peeked), or read whole without them. */
async function loadVia<S, F extends Fact>(
  deps: CommandDeps,
  cache: StreamCache<S> | undefined,
  stream: string,
  evolve: (state: S, event: F) => S,
  initial: S,
  options: LoadOptions,
): Promise<Loaded<S>> {
  if (!cache) return { ...(await loadStream(deps.store, stream, evolve, initial)), unverified: false };
  if (!options.remembered) return { ...(await cache.load(deps.store, stream)), unverified: false };
  const known = cache.peek(stream);
  return known
    ? { ...known, unverified: true }
    : { state: initial, expected: "no_stream", position: null, unverified: true };
}

export const loadChatUser = (deps: CommandDeps, chatUserId: string, options: LoadOptions = {}) =>
  loadVia(
    deps,
    deps.remembered?.users,
    streams.chatUser(chatUserId),
    evolveChatUser,
    initialChatUser,
    options,
  );

export const loadOssIdentity = (deps: CommandDeps, ossUserId: string, options: LoadOptions = {}) =>
  loadVia(
    deps,
    deps.remembered?.identities,
    streams.ossIdentity(ossUserId),
    evolveOssIdentity,
    initialOssIdentity,
    options,
  );

/** A decision of the identity workflow, and the revision of every stream it was decided on. */
export interface IdentityDecision<R> {
  readonly result: R;
  readonly writes: readonly StreamEvents[];
  readonly revisions: ReadonlyMap<string, ExpectedRevision>;
  /** Position of each chat user's last event (read-your-writes when nothing is appended). */
  readonly positions: ReadonlyMap<string, bigint | null>;
  /** Every stream the decision was made on, as loaded (to remember what the append makes of it). */
  readonly loaded: ReadonlyMap<string, Loaded<unknown>>;
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
  options: LoadOptions = {},
): Promise<IdentityDecision<R>> {
  const users = new Map<string, ChatUserState>();
  const revisions = new Map<string, ExpectedRevision>();
  const positions = new Map<string, bigint | null>();
  const loadedStreams = new Map<string, Loaded<unknown>>();
  const keep = (chatUserId: string, loaded: Loaded<ChatUserState>) => {
    users.set(chatUserId, loaded.state);
    revisions.set(streams.chatUser(chatUserId), loaded.expected);
    positions.set(chatUserId, loaded.position);
    loadedStreams.set(streams.chatUser(chatUserId), loaded);
  };
  const [identity, ...prefetched] = await Promise.all([
    ossUserId === null ? null : loadOssIdentity(deps, ossUserId, options),
    ...prefetch.map((id) => loadChatUser(deps, id, options)),
  ]);
  if (ossUserId !== null && identity) {
    revisions.set(streams.ossIdentity(ossUserId), identity.expected);
    loadedStreams.set(streams.ossIdentity(ossUserId), identity);
  }
  prefetch.forEach((id, i) => {
    const loaded = prefetched[i];
    if (loaded) keep(id, loaded);
  });
  const states = () => ({ identity: identity?.state ?? initialOssIdentity, users });
  for (let reads = 0; ; reads++) {
    const decision = decide(states());
    if (decision.kind === "decided") {
      return {
        result: decision.result,
        writes: decision.writes,
        revisions,
        positions,
        loaded: loadedStreams,
      };
    }
    if (reads >= MAX_READS || users.has(decision.chatUserId)) {
      throw new Error(`identity decision keeps asking for chat user ${decision.chatUserId}`);
    }
    keep(decision.chatUserId, await loadChatUser(deps, decision.chatUserId, options));
  }
}

/** The streams a decision took as remembered and does not write: its append must find them where they were. */
export function checksAt(decision: IdentityDecision<unknown>): StreamCheck[] {
  const written = new Set(decision.writes.filter((w) => w.events.length > 0).map((w) => w.streamId));
  const checks: StreamCheck[] = [];
  for (const [streamId, loaded] of decision.loaded) {
    if (loaded.unverified && !written.has(streamId) && loaded.expected !== "any") {
      checks.push({ streamId, expected: loaded.expected });
    }
  }
  return checks;
}

/** Remembers the identity states an append made, so the next command on them reads nothing. */
export function rememberAppended(
  deps: CommandDeps,
  decision: IdentityDecision<unknown>,
  appended: readonly AppendedWrite[],
): void {
  const cache = deps.remembered;
  if (!cache) return;
  for (const w of appended) {
    const loaded = decision.loaded.get(w.streamId);
    if (!loaded) continue;
    const { nextRevision, position } = w.result;
    if (w.streamId.startsWith(streams.chatUser(""))) {
      cache.users.advance(w.streamId, loaded as LoadedStream<ChatUserState>, w.facts, nextRevision, position);
    } else if (w.streamId.startsWith(streams.ossIdentity(""))) {
      cache.identities.advance(
        w.streamId,
        loaded as LoadedStream<OssIdentityState>,
        w.facts,
        nextRevision,
        position,
      );
    }
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
