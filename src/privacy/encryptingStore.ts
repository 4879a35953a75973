import { DataKeyTakenError, type EventStore, type NewEvent } from "../eventstore/eventStore";
import { keysToSeal, openEvents, sealEvents, sealWith } from "./eventCipher";
import type { KeyStore } from "./keyStore";

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
      const events = writes.flatMap((w) => w.events);
      const split = (sealed: readonly NewEvent[]) => {
        let at = 0;
        return writes.map((w) => {
          const own = sealed.slice(at, at + w.events.length);
          at += w.events.length;
          return { ...w, events: own };
        });
      };
      const requests = keysToSeal(events);
      // A store that keeps data keys takes new ones with the append: the keys are made here, and the append
      // stores them (or refuses an erased subject) in its own transaction — one round trip, not two.
      const prepared = inner.storesDataKeys ? keys.prepareKeys?.(requests) : undefined;
      if (prepared && prepared.made.length > 0) {
        try {
          const results = await inner.appendToStreams(
            split(sealWith(events, prepared.keys)),
            checks,
            prepared.made.map(({ keyId, subjectId, wrappedKey }) => ({ keyId, subjectId, wrappedKey })),
          );
          keys.stored?.(prepared);
          return results;
        } catch (err) {
          // Another writer stored one of these keys first: seal again with the stored ones, as below. An erased
          // subject (SubjectErasedError) and anything else go to the caller.
          if (!(err instanceof DataKeyTakenError)) throw err;
        }
      }
      // One key lookup for the events of every stream the append writes.
      const sealed = requests.length === 0 ? events : sealWith(events, await keys.keysForSealing(requests));
      return inner.appendToStreams(split(sealed), checks);
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
