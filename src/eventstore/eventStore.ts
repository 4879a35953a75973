import type { DomainEvent } from "../events/chatEvents";
import type { EventMetadata } from "../events/metadata";
import { compareLogPositions, type LogPosition, logStart, type RecordedEvent } from "../events/recorded";

export { compareLogPositions, type LogPosition, logStart, type RecordedEvent };

/** "no_stream": the stream must not exist; a number: the revision of its last event; "any": no check. */
export type ExpectedRevision = "no_stream" | "any" | bigint;

/**
 * An event as a command hands it to the store. The store gives it its id (unless one is given, e.g. derived
 * from an idempotency key) and its place in the hash chain.
 */
export type NewEvent = DomainEvent & { readonly id?: string; readonly metadata: EventMetadata };

/** An event as an adapter stores it: its id and metadata (hash chain included) are final. */
export type EventToAppend = DomainEvent & { readonly id: string; readonly metadata: EventMetadata };

export interface AppendResult {
  readonly nextRevision: bigint;
  /** Position of the last appended event. */
  readonly position: bigint;
}

/** One stream's part of an append to several streams. */
export interface StreamAppend<E> {
  readonly streamId: string;
  readonly events: readonly E[];
  readonly expected: ExpectedRevision;
}

/**
 * A stream an append does not write but was decided on: the append commits only if the stream is still at
 * this revision (a decision made on a remembered state is then as good as one made on a fresh read).
 */
export interface StreamCheck {
  readonly streamId: string;
  readonly expected: bigint | "no_stream";
}

/**
 * A data key the events of an append were sealed with, made in the process (wrapped by the KEK): a store that
 * keeps data keys (Postgres, `storesDataKeys`) stores it in the append's own transaction.
 */
export interface CarriedDataKey {
  readonly keyId: string;
  readonly subjectId: string;
  readonly wrappedKey: Buffer;
}

/** Several streams in one append: each once (written or checked), each written one with at least one event. */
export function checkStreamAppends(
  writes: readonly StreamAppend<unknown>[],
  checks: readonly StreamCheck[] = [],
): void {
  if (writes.length === 0) throw new Error("appendToStreams needs at least one stream");
  const ids = [...writes, ...checks].map((w) => w.streamId);
  if (new Set(ids).size !== ids.length) {
    throw new Error("appendToStreams takes each stream once");
  }
  if (writes.some((w) => w.events.length === 0)) throw new Error("append needs at least one event");
}

/** Raised when data would be sealed for a data subject who was erased: the write is refused, never re-keyed. */
export class SubjectErasedError extends Error {
  constructor(readonly subjectId: string) {
    super("This chat user's personal data was erased; nothing more is recorded for them");
    this.name = "SubjectErasedError";
  }
}

/**
 * An append carrying data keys (`CarriedDataKey`) found one of them stored by another writer first: nothing is
 * written; the events must be sealed again with the stored key.
 */
export class DataKeyTakenError extends Error {
  constructor(readonly keyId: string) {
    super(`data key ${keyId} was stored by another writer first`);
    this.name = "DataKeyTakenError";
  }
}

/** The one error every adapter raises when the expected revision does not hold. */
export class ConcurrencyError extends Error {
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedRevision,
    readonly actual: bigint | "no_stream" | "unknown",
  ) {
    super(`stream ${streamId}: expected revision ${String(expected)}, found ${String(actual)}`);
    this.name = "ConcurrencyError";
  }
}

/**
 * Reads for real-time delivery, where speed beats completeness (the Postgres adapter has them): what is
 * committed now, without waiting for older transactions still in flight, so a position may be passed that a
 * slower transaction fills later; the reader asks again for such positions by number.
 */
export interface CommittedReads {
  /** The newest position in the log, 0 when it is empty. */
  headPosition(): Promise<bigint>;
  /** Of the positions after `after`, those that hold an event now. */
  positionsAfter(after: bigint): Promise<bigint[]>;
  /**
   * Events committed now after `after`, and those at `positions`, in position order, at most `maxCount` (one
   * snapshot: if a later event of a stream is seen, so are its earlier ones). An event that cannot be read is
   * left out and named to `onUnreadable`; the positions read are all returned.
   */
  readCommitted(
    after: bigint,
    positions: readonly bigint[],
    maxCount: number,
    onUnreadable: (position: bigint, err: unknown) => void,
  ): Promise<{ readonly positions: bigint[]; readonly events: RecordedEvent[] }>;
  /** Calls `wake` when any process appends; the returned function stops listening. */
  listen(wake: () => void, onError: (err: Error) => void): Promise<() => Promise<void>>;
}

/** What every store reads: streams, the global log, a position, and the log as it grows. */
export interface EventLog {
  /** Reads a stream in order from a revision (default 0, the whole stream); a missing stream reads as empty. */
  readStream(streamId: string, fromRevision?: bigint): Promise<RecordedEvent[]>;
  /** Reads up to maxCount events of the global log strictly after `after`, in log order, never skipping one. */
  readAll(after: LogPosition, maxCount: number): Promise<RecordedEvent[]>;
  /** The event at a client-held position, or null. */
  readAt(position: bigint): Promise<RecordedEvent | null>;
  /** Follows the global log after `after`, yielding batches as they become readable, until the signal aborts. */
  follow(
    after: LogPosition,
    options: { signal: AbortSignal; batchSize?: number },
  ): AsyncIterable<RecordedEvent[]>;
  /** Reads of what is committed now, for real-time delivery; a store without them is followed (`follow`). */
  readonly committed?: CommittedReads;
  close(): Promise<void>;
}

/**
 * The event-store port as commands, tests and tools see it. Every store handed out is layered, outermost first:
 *
 *   commands ─▶ encryption (encryptingStore.ts) ─▶ chaining (chainedStore.ts) ─▶ adapter (Postgres | EventStoreDB)
 *
 * Chaining stamps each event's id and hash just above the adapter, so the hash covers exactly the bytes the
 * adapter stores: an encrypting layer wraps the chained store from outside, and destroying a key leaves the
 * chain verifiable. `append` is a property (not a method) so an adapter, which needs ids and hashes already
 * stamped, cannot be passed where this port is expected.
 */
export interface EventStore extends EventLog {
  /** Appends events to one stream atomically if the stream is at the expected revision. */
  readonly append: (
    streamId: string,
    events: readonly NewEvent[],
    expected: ExpectedRevision,
  ) => Promise<AppendResult>;
  /**
   * Appends to several distinct streams, each at its own expected revision, as one commit: one stream
   * elsewhere is a ConcurrencyError for that stream and nothing is written (EventStoreDB: see its adapter).
   * Events land in the log in the order given. Results are in the order of `writes`. List streams in one
   * order everywhere (identity, chat users, session) so that two such appends never wait on each other in
   * opposite orders; Postgres breaks such a deadlock as a ConcurrencyError, and the command retries.
   * `checks`: streams not written that must still be at a revision (a ConcurrencyError names the one that is
   * not). A check reads the stream's revision at the append and does not lock it: it closes the window between
   * a decision and its append down to the append itself.
   */
  readonly appendToStreams: (
    writes: readonly StreamAppend<NewEvent>[],
    checks?: readonly StreamCheck[],
    dataKeys?: readonly CarriedDataKey[],
  ) => Promise<AppendResult[]>;
  /**
   * Whether appendToStreams stores `dataKeys` with the events, in one transaction (the encrypting layer then
   * makes a new subject's key itself instead of asking the key store first).
   */
  readonly storesDataKeys?: boolean;
}

/** What an adapter implements: appends of events whose ids and hashes are stamped, and a stream's last event. */
export interface EventStoreAdapter extends EventLog {
  /** Appends events to one stream atomically if the stream is at the expected revision. */
  readonly append: (
    streamId: string,
    events: readonly EventToAppend[],
    expected: ExpectedRevision,
  ) => Promise<AppendResult>;
  /** Appends to several distinct streams as one commit (see EventStore.appendToStreams). */
  readonly appendToStreams: (
    writes: readonly StreamAppend<EventToAppend>[],
    checks?: readonly StreamCheck[],
    dataKeys?: readonly CarriedDataKey[],
  ) => Promise<AppendResult[]>;
  readonly storesDataKeys?: boolean;
  /** The last event of a stream, or null when the stream does not exist. */
  readLastEvent(streamId: string): Promise<RecordedEvent | null>;
}
