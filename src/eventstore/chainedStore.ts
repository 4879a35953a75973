import {
  ConcurrencyError,
  type EventStore,
  type EventStoreAdapter,
  type ExpectedRevision,
  type NewEvent,
} from "./eventStore";
import { type ChainHead, chainEvents, storedHash } from "./hashChain";

export interface ChainedStoreOptions {
  /** Ids of appended events that come without one. */
  readonly newId: () => string;
  /** How many streams' last hashes are remembered (a miss costs one read of the stream's last event). */
  readonly cacheSize?: number;
}

/** Appends with expected revision "any" retry this often when another writer moves the stream meanwhile. */
const ANY_ATTEMPTS = 20;

/**
 * The chaining layer of the store: every append, of any number of events, gets ids and hashes chained to the
 * previous event of its stream, whoever calls it. The hash the next append needs is remembered from the last
 * read or append of the stream; a stream's revision names one event forever (the log is append-only), so a
 * remembered (revision, hash) is never stale, and when it does not match the expected revision the stream's
 * last event is read once.
 */
export function createChainedStore(adapter: EventStoreAdapter, options: ChainedStoreOptions): EventStore {
  const cacheSize = options.cacheSize ?? 10_000;
  const heads = new Map<string, { readonly revision: bigint; readonly hash: string | null }>();

  function remember(streamId: string, revision: bigint, hash: string | null) {
    const known = heads.get(streamId);
    if (known && known.revision > revision) return;
    heads.delete(streamId); // re-inserted last: the map's order is least recently used first
    heads.set(streamId, { revision, hash });
    if (heads.size > cacheSize) {
      const oldest = heads.keys().next();
      if (!oldest.done) heads.delete(oldest.value);
    }
  }

  /** Where an append at an exact expected revision goes; a stream elsewhere is a conflict without a write. */
  async function headAt(streamId: string, expected: "no_stream" | bigint): Promise<ChainHead> {
    if (expected === "no_stream") return { revision: 0n, previousHash: null };
    const known = heads.get(streamId);
    if (known?.revision === expected) return { revision: expected + 1n, previousHash: known.hash };
    const last = await adapter.readLastEvent(streamId);
    if (last?.revision !== expected) {
      throw new ConcurrencyError(streamId, expected, last ? last.revision : "no_stream");
    }
    const hash = storedHash(last.metadata);
    remember(streamId, last.revision, hash);
    return { revision: expected + 1n, previousHash: hash };
  }

  async function appendExact(streamId: string, events: readonly NewEvent[], expected: "no_stream" | bigint) {
    const head = await headAt(streamId, expected);
    const chained = chainEvents(streamId, head, events, options.newId);
    const result = await adapter.append(streamId, chained, expected);
    const last = chained.at(-1);
    if (last) remember(streamId, result.nextRevision, storedHash(last.metadata));
    return result;
  }

  /** "Any" still chains: it appends at the stream's current end, again if another writer moved it first. */
  async function appendAny(streamId: string, events: readonly NewEvent[]) {
    for (let attempt = 1; ; attempt++) {
      const last = await adapter.readLastEvent(streamId);
      if (last) remember(streamId, last.revision, storedHash(last.metadata));
      try {
        return await appendExact(streamId, events, last ? last.revision : "no_stream");
      } catch (err) {
        if (!(err instanceof ConcurrencyError) || attempt >= ANY_ATTEMPTS) throw err;
      }
    }
  }

  return {
    append: (streamId: string, events: readonly NewEvent[], expected: ExpectedRevision) => {
      if (events.length === 0) return Promise.reject(new Error("append needs at least one event"));
      return expected === "any" ? appendAny(streamId, events) : appendExact(streamId, events, expected);
    },
    async readStream(streamId) {
      const events = await adapter.readStream(streamId);
      const last = events.at(-1);
      if (last) remember(streamId, last.revision, storedHash(last.metadata));
      return events;
    },
    readAll: (after, maxCount) => adapter.readAll(after, maxCount),
    readAt: (position) => adapter.readAt(position),
    follow: (after, opts) => adapter.follow(after, opts),
    close: () => adapter.close(),
  };
}
