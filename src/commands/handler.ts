import type { DomainEvent, Fact } from "../events/chatEvents";
import { toFact } from "../events/facts";
import type { EventMetadata, RequestContext } from "../events/metadata";
import {
  type AppendResult,
  ConcurrencyError,
  type EventStore,
  type ExpectedRevision,
  type StreamCheck,
} from "../eventstore/eventStore";

export interface LoadedStream<S> {
  readonly state: S;
  readonly expected: ExpectedRevision;
  /** Position of the stream's last event, for read-your-writes when a command changes nothing. */
  readonly position: bigint | null;
}

/** Folds a stream whole. A stream holds its aggregate's events only, so `evolve` is given them as its own. */
export async function loadStream<S, F extends Fact = Fact>(
  store: EventStore,
  streamId: string,
  evolve: (state: S, event: F) => S,
  initial: S,
): Promise<LoadedStream<S>> {
  const events = await store.readStream(streamId);
  let state = initial;
  for (const e of events) state = evolve(state, toFact(e) as F);
  const last = events.at(-1);
  return {
    state,
    expected: last ? last.revision : "no_stream",
    position: last ? last.position : null,
  };
}

/** The metadata a command's events carry: when, why, who, from where, and whose stream it is. */
export function commandMetadata(
  ctx: RequestContext,
  ownerId: string,
  causationId: string | null = null,
): EventMetadata {
  return {
    occurred_at: ctx.now().toISOString(),
    correlation_id: ctx.correlationId,
    causation_id: causationId,
    actor: ctx.actor,
    ip: ctx.ip,
    user_agent: ctx.userAgent,
    owner_id: ownerId,
  };
}

/**
 * Appends what a decider returned with the request's metadata; nothing to append returns the stream's position.
 * Ids and the hash chain are the store's business (src/eventstore/chainedStore.ts).
 */
export async function appendDecided(
  store: EventStore,
  streamId: string,
  loaded: LoadedStream<unknown>,
  events: readonly DomainEvent[],
  ctx: RequestContext,
  ownerId: string,
  causationId: string | null = null,
): Promise<bigint | null> {
  if (events.length === 0) return loaded.position;
  const metadata = commandMetadata(ctx, ownerId, causationId);
  const result = await store.append(
    streamId,
    events.map((e) => ({ ...e, metadata })),
    loaded.expected,
  );
  return result.position;
}

/** One stream's share of what deciders returned, at the revision the decision was made on. */
export interface DecidedWrite {
  readonly streamId: string;
  readonly expected: ExpectedRevision;
  readonly events: readonly DomainEvent[];
  readonly ownerId: string;
}

/**
 * Appends what deciders returned for several streams in ONE commit (streams without events are left out), so
 * a command that dies part-way leaves all or nothing. Returns the position of the last event, or null when
 * there was nothing to append.
 */
export async function appendDecidedToStreams(
  store: EventStore,
  writes: readonly DecidedWrite[],
  ctx: RequestContext,
  causationId: string | null = null,
  checks: readonly StreamCheck[] = [],
): Promise<bigint | null> {
  const appended = await appendWrites(store, writes, ctx, causationId, checks);
  // The streams' events land in the log in the order given: the last stream's last event is the newest.
  return appended.at(-1)?.result.position ?? null;
}

/** A stream's appended events as deciders fold them, and where they ended. */
export interface AppendedWrite {
  readonly streamId: string;
  readonly facts: readonly Fact[];
  readonly result: AppendResult;
}

/** appendDecidedToStreams, answering per written stream (to remember the states the append made). */
export async function appendWrites(
  store: EventStore,
  writes: readonly DecidedWrite[],
  ctx: RequestContext,
  causationId: string | null = null,
  checks: readonly StreamCheck[] = [],
): Promise<AppendedWrite[]> {
  const toAppend = writes
    .filter((w) => w.events.length > 0)
    .map((w) => {
      const metadata = commandMetadata(ctx, w.ownerId, causationId);
      return {
        streamId: w.streamId,
        expected: w.expected,
        events: w.events.map((e) => ({ ...e, metadata })),
      };
    });
  if (toAppend.length === 0) return [];
  const results = await store.appendToStreams(toAppend, checks);
  return toAppend.map((w, i) => ({
    streamId: w.streamId,
    facts: w.events.map(
      (e) =>
        ({ type: e.type, data: e.data, occurredAt: e.metadata.occurred_at, actor: e.metadata.actor }) as Fact,
    ),
    result: results[i] as AppendResult,
  }));
}

/** A decision on remembered states that appends nothing proves nothing: it is made again from fresh reads. */
export class UnverifiedNoOp extends Error {
  constructor() {
    super("a decision on remembered states appended nothing");
    this.name = "UnverifiedNoOp";
  }
}

/**
 * Runs a command first on the states this process remembers, reading nothing, then (if the store disagrees
 * with what it remembered, or the command refuses on them) again from fresh reads, retrying on conflicts.
 * Only an append at the remembered revisions, checked by the store, makes the first attempt count, so a refusal
 * or a no-op is never answered from a remembered state.
 */
export async function rememberedFirst<T>(
  run: (remembered: boolean, appending: () => void) => Promise<T>,
  attempts = 20,
): Promise<T> {
  let appendStarted = false;
  try {
    return await run(true, () => {
      appendStarted = true;
    });
  } catch (err) {
    // Anything the decision threw may come from a stale state. Once the append started, only a conflict is
    // (a refused key is the key store's own answer, and a failure with the commit unknown is not run again).
    if (appendStarted && !(err instanceof ConcurrencyError)) throw err;
    return retryOnConflict(() => run(false, () => {}), attempts);
  }
}

/** Runs a command again from a fresh read when another writer got to a stream first. */
export async function retryOnConflict<T>(run: () => Promise<T>, attempts = 20): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (err) {
      if (!(err instanceof ConcurrencyError) || attempt >= attempts) throw err;
      await new Promise((r) => setTimeout(r, Math.random() * 5 * attempt));
    }
  }
}
