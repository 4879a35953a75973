import type { KeyStore, PreparedKeys } from "./keyStore";

/** Events that destroy keys: any process that reads one in the log forgets every key it holds. */
const KEY_DESTROYING_EVENTS = new Set(["ChatUserErased", "RetentionApplied"]);

export interface KeyCacheOptions {
  /** How long an unwrapped key is kept; 0 turns the cache off. */
  readonly ttlMs: number;
  readonly maxEntries?: number;
  readonly now?: () => number;
}

export interface CachingKeyStore extends KeyStore {
  observe(events: readonly { readonly type: string }[]): void;
  /** Keys held now (metrics, tests). */
  size(): number;
}

/**
 * Unwrapped data keys kept in the process, so a chat's second write and every read of its events do not go
 * to the key table again. A key leaves the cache when its time is up, when this process erases or destroys
 * keys, and when it reads an erasure or a retention run in the log (every process that opens events reads
 * the log), so another process's erasure reaches it as fast as its projector or real-time follower does.
 * Until then a write here can still be sealed with a key the database no longer holds: that field is as
 * unreadable as the erased ones (which is what erasure promises); the refusal (410) comes once the erasure
 * is seen. Keys found missing (destroyed) are not cached.
 */
export function createCachingKeyStore(inner: KeyStore, options: KeyCacheOptions): CachingKeyStore {
  const now = options.now ?? Date.now;
  const maxEntries = options.maxEntries ?? 100_000;
  const entries = new Map<string, { key: Buffer; until: number }>();
  let generation = 0;

  function get(keyId: string): Buffer | undefined {
    const entry = entries.get(keyId);
    if (!entry) return undefined;
    if (entry.until <= now()) {
      entries.delete(keyId);
      return undefined;
    }
    // Most recently used last: the oldest entry is the first to go when the cache is full.
    entries.delete(keyId);
    entries.set(keyId, entry);
    return entry.key;
  }

  function remember(keys: ReadonlyMap<string, Buffer>, since: number) {
    // A clear that happened while these keys were being fetched wins: they are not kept.
    if (options.ttlMs <= 0 || since !== generation) return;
    const until = now() + options.ttlMs;
    for (const [keyId, key] of keys) {
      entries.delete(keyId);
      entries.set(keyId, { key, until });
    }
    for (const oldest of entries.keys()) {
      if (entries.size <= maxEntries) break;
      entries.delete(oldest);
    }
  }

  /** The cache's generation when keys were prepared: a clear since then means they are not kept. */
  const preparedAt = new WeakMap<PreparedKeys, number>();

  function clear() {
    generation++;
    entries.clear();
  }

  return {
    async keysForOpening(keyIds) {
      const found = new Map<string, Buffer>();
      const missing: string[] = [];
      for (const id of new Set(keyIds)) {
        const key = get(id);
        if (key) found.set(id, key);
        else missing.push(id);
      }
      if (missing.length === 0) return found;
      const since = generation;
      const fetched = await inner.keysForOpening(missing);
      remember(fetched, since);
      for (const [id, key] of fetched) found.set(id, key);
      return found;
    },
    async keysForSealing(requests) {
      const found = new Map<string, Buffer>();
      for (const r of requests) {
        const key = get(r.keyId);
        if (!key) break;
        found.set(r.keyId, key);
      }
      if (found.size === new Set(requests.map((r) => r.keyId)).size) return found;
      // One key unknown: all of them go to the store, which checks every subject for erasure.
      const since = generation;
      const fetched = await inner.keysForSealing(requests);
      remember(fetched, since);
      return fetched;
    },
    async eraseSubjects(subjectIds) {
      clear();
      try {
        return await inner.eraseSubjects(subjectIds);
      } finally {
        clear();
      }
    },
    async destroyKeys(keyIds) {
      clear();
      try {
        return await inner.destroyKeys(keyIds);
      } finally {
        clear();
      }
    },
    isErased: (subjectId) => inner.isErased(subjectId),
    prepareKeys: inner.prepareKeys
      ? (requests) => {
          const keys = new Map<string, Buffer>();
          const missing = requests.filter((r) => {
            const key = get(r.keyId);
            if (key) keys.set(r.keyId, key);
            return !key;
          });
          const fresh = missing.length > 0 ? inner.prepareKeys?.(missing) : undefined;
          for (const [id, key] of fresh?.keys ?? []) keys.set(id, key);
          const prepared = { keys, made: fresh?.made ?? [] };
          preparedAt.set(prepared, generation);
          return prepared;
        }
      : undefined,
    stored(prepared) {
      const since = preparedAt.get(prepared);
      if (since === undefined) return;
      remember(new Map(prepared.made.map((m) => [m.keyId, m.key])), since);
    },
    observe(events) {
      if (events.some((e) => KEY_DESTROYING_EVENTS.has(e.type))) clear();
    },
    size: () => entries.size,
  };
}
