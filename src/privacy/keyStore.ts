import { SubjectErasedError } from "../eventstore/eventStore";

// The store port's error: a key store and an append that stores keys refuse an erased subject alike.
export { SubjectErasedError };

export interface KeyRequest {
  readonly keyId: string;
  /** The data subject the key belongs to: erasing them destroys it. */
  readonly subjectId: string;
}

/** A data key made in the process for sealing, to be stored by the append that carries it. */
export interface MadeKey {
  readonly keyId: string;
  readonly subjectId: string;
  readonly key: Buffer;
  /** The key wrapped by the key-encryption key, as stored. */
  readonly wrappedKey: Buffer;
}

/** Keys for sealing an append, and those of them made here that the append must store. */
export interface PreparedKeys {
  readonly keys: ReadonlyMap<string, Buffer>;
  readonly made: readonly MadeKey[];
}

/**
 * Where data keys live, apart from the events they open. The Postgres store wraps each key with the
 * key-encryption key; a KMS-backed store can replace it behind this port.
 */
export interface KeyStore {
  /** Keys for sealing, made where missing; throws SubjectErasedError if a subject was erased. */
  keysForSealing(requests: readonly KeyRequest[]): Promise<Map<string, Buffer>>;
  /** Keys for opening; an id whose key was destroyed (or never made) is absent from the map. */
  keysForOpening(keyIds: readonly string[]): Promise<Map<string, Buffer>>;
  /** Destroys every key of the subjects and records them as erased; the ids already erased are returned. */
  eraseSubjects(subjectIds: readonly string[]): Promise<{ destroyed: number; alreadyErased: string[] }>;
  /** Destroys the given keys alone (retention); returns how many existed. */
  destroyKeys(keyIds: readonly string[]): Promise<number>;
  /** Whether the subject was erased. */
  isErased(subjectId: string): Promise<boolean>;
  /** Sees events as they are read from the log, before they are opened (a cache forgets keys on an erasure). */
  observe?(events: readonly { readonly type: string }[]): void;
  /**
   * Keys for sealing without asking the database: those the process holds, and new ones made here for the
   * rest, which the append stores in its own transaction (refusing an erased subject there). Absent when the
   * store cannot make keys itself.
   */
  prepareKeys?(requests: readonly KeyRequest[]): PreparedKeys;
  /** The made keys of `prepared` were stored by their append: the process may hold them. */
  stored?(prepared: PreparedKeys): void;
}
