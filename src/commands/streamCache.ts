import type { Fact } from "../events/chatEvents";
import { toFact } from "../events/facts";
import type { EventStore } from "../eventstore/eventStore";
import type { LoadedStream } from "./handler";

interface Entry<S> {
  readonly state: S;
  readonly revision: bigint;
  readonly position: bigint;
}

/** Loads a stream's state like loadStream, but from what it folded before. */
export interface StreamCache<S> {
  load(store: EventStore, streamId: string): Promise<LoadedStream<S>>;
  /**
   * The state remembered, without reading: it may be behind the store, so a decision made on it must be
   * appended at its revision (or checked at it) and made again from `load` when the store disagrees.
   */
  peek(streamId: string): LoadedStream<S> | null;
  /** The state after this process appended `facts` at `loaded`'s revision, ending at `revision`. */
  advance(
    streamId: string,
    loaded: LoadedStream<S>,
    facts: readonly Fact[],
    revision: bigint,
    position: bigint,
  ): void;
}

/**
 * Folded states keyed by stream and revision: a load reads only the events after the cached revision, so a
 * command on a session with thousands of messages reads what changed since the last command, not the whole
 * stream. Any other writer's events are among those read, so a cached state is never stale once loaded, and
 * an append that conflicts retries from a load that catches up. The least recently used streams are dropped.
 */
export function createStreamCache<S, F extends Fact = Fact>(
  evolve: (state: S, event: F) => S,
  initial: S,
  maxStreams = 10_000,
): StreamCache<S> {
  const entries = new Map<string, Entry<S>>();

  function remember(streamId: string, entry: Entry<S>) {
    const existing = entries.get(streamId);
    // Two loads in flight may finish out of order: keep the further one.
    if (existing && existing.revision > entry.revision) return;
    entries.delete(streamId);
    entries.set(streamId, entry);
    if (entries.size > maxStreams) {
      const oldest = entries.keys().next().value;
      if (oldest !== undefined) entries.delete(oldest);
    }
  }

  return {
    peek(streamId) {
      const cached = entries.get(streamId);
      return cached ? { state: cached.state, expected: cached.revision, position: cached.position } : null;
    },
    advance(streamId, loaded, facts, revision, position) {
      let state = loaded.state;
      for (const fact of facts) state = evolve(state, fact as F);
      remember(streamId, { state, revision, position });
    },
    async load(store, streamId) {
      const cached = entries.get(streamId);
      const events = await store.readStream(streamId, cached ? cached.revision + 1n : 0n);
      const last = events.at(-1);
      if (!last) {
        if (!cached) return { state: initial, expected: "no_stream", position: null };
        return { state: cached.state, expected: cached.revision, position: cached.position };
      }
      let state = cached ? cached.state : initial;
      for (const e of events) state = evolve(state, toFact(e) as F);
      remember(streamId, { state, revision: last.revision, position: last.position });
      return { state, expected: last.revision, position: last.position };
    },
  };
}
