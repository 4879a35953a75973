import { openEvents, sealEvents } from "../privacy/eventCipher";
import type { KeyStore } from "../privacy/keyStore";
import type { EventStore } from "./eventStore";

/**
 * The personal-data layer of the store, wrapped around the chained store:
 *
 *   commands ─▶ encryption (this) ─▶ chaining ─▶ adapter
 *
 * Appends seal each event's personal fields with its data subject's key before the chain hashes them, so the
 * hash covers the stored (sealed) form and still verifies once a key is destroyed. Reads open them again; a
 * field whose key was destroyed reads as "[erased]". What must carry the sealed form (the relay to Kafka,
 * the chain verifier) reads the store beneath this layer.
 */
export function createEncryptingStore(inner: EventStore, keys: KeyStore): EventStore {
  return {
    append: async (streamId, events, expected) =>
      inner.append(streamId, await sealEvents(events, keys), expected),
    async appendToStreams(writes, checks) {
      // One key lookup for the events of every stream the append writes.
      const sealed = await sealEvents(
        writes.flatMap((w) => w.events),
        keys,
      );
      let at = 0;
      return inner.appendToStreams(
        writes.map((w) => {
          const events = sealed.slice(at, at + w.events.length);
          at += w.events.length;
          return { ...w, events };
        }),
        checks,
      );
    },
    readStream: async (streamId, fromRevision) =>
      openEvents(await inner.readStream(streamId, fromRevision), keys),
    readAll: async (after, maxCount) => openEvents(await inner.readAll(after, maxCount), keys),
    async readAt(position) {
      const event = await inner.readAt(position);
      return event ? ((await openEvents([event], keys))[0] ?? null) : null;
    },
    async *follow(after, options) {
      for await (const batch of inner.follow(after, options)) yield await openEvents(batch, keys);
    },
    close: () => inner.close(),
  };
}
