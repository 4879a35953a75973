import {
  type AppendResult,
  type CarriedDataKey,
  ConcurrencyError,
  checkStreamAppends,
  type EventStore,
  type EventStoreAdapter,
  type ExpectedRevision,
  type NewEvent,
  type StreamAppend,
  type StreamCheck,
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

  /** An expected revision of "any" becomes the stream's current end, so the hash has a place to chain to. */
  async function exactly(write: StreamAppend<NewEvent>): Promise<"no_stream" | bigint> {
    if (write.expected !== "any") return write.expected;
    const last = await adapter.readLastEvent(write.streamId);
    if (!last) return "no_stream";
    remember(write.streamId, last.revision, storedHash(last.metadata));
    return last.revision;
  }

  /** Chains every stream's events onto its head and appends them all in one adapter call. */
  async function appendChained(
    writes: readonly StreamAppend<NewEvent>[],
    checks: readonly StreamCheck[] = [],
    dataKeys: readonly CarriedDataKey[] = [],
  ): Promise<AppendResult[]> {
    for (let attempt = 1; ; attempt++) {
      try {
        const chained = await Promise.all(
          writes.map(async (w) => {
            const expected = await exactly(w);
            const head = await headAt(w.streamId, expected);
            const events = chainEvents(w.streamId, head, w.events, options.newId);
            return { streamId: w.streamId, expected, events };
          }),
        );
        const [single] = chained;
        const results =
          chained.length === 1 && single && checks.length === 0 && dataKeys.length === 0
            ? [await adapter.append(single.streamId, single.events, single.expected)]
            : await adapter.appendToStreams(chained, checks, dataKeys);
        chained.forEach((w, i) => {
          const last = w.events.at(-1);
          const result = results[i];
          if (last && result) remember(w.streamId, result.nextRevision, storedHash(last.metadata));
        });
        return results;
      } catch (err) {
        // "Any" asks for no check: another writer moving such a stream meanwhile is not the caller's conflict.
        const movedAny =
          err instanceof ConcurrencyError &&
          writes.some((w) => w.streamId === err.streamId && w.expected === "any");
        if (!movedAny || attempt >= ANY_ATTEMPTS) throw err;
      }
    }
  }

  return {
    async append(streamId: string, events: readonly NewEvent[], expected: ExpectedRevision) {
      if (events.length === 0) throw new Error("append needs at least one event");
      const [result] = await appendChained([{ streamId, events, expected }]);
      if (!result) throw new Error("append returned no result");
      return result;
    },
    async appendToStreams(
      writes: readonly StreamAppend<NewEvent>[],
      checks: readonly StreamCheck[] = [],
      dataKeys: readonly CarriedDataKey[] = [],
    ) {
      if (dataKeys.length > 0 && !adapter.storesDataKeys)
        throw new Error("this event store keeps no data keys");
      checkStreamAppends(writes, checks);
      return appendChained(writes, checks, dataKeys);
    },
    async readStream(streamId, fromRevision) {
      const events = await adapter.readStream(streamId, fromRevision);
      const last = events.at(-1);
      if (last) remember(streamId, last.revision, storedHash(last.metadata));
      return events;
    },
    storesDataKeys: adapter.storesDataKeys === true,
    readAll: (after, maxCount) => adapter.readAll(after, maxCount),
    readAt: (position) => adapter.readAt(position),
    follow: (after, opts) => adapter.follow(after, opts),
    ...(adapter.committed ? { committed: adapter.committed } : {}),
    close: () => adapter.close(),
  };
}
