import type { DomainEvent } from "../events/chatEvents";
import type { EventMetadata } from "../events/metadata";

/**
 * Where the global log is: two numbers compared in order. Postgres: (transaction id, global position);
 * EventStoreDB: (commit, prepare). The start of the log is (0, 0).
 */
export interface LogPosition {
  readonly commit: bigint;
  readonly prepare: bigint;
}
export const logStart: LogPosition = { commit: 0n, prepare: 0n };

export function compareLogPositions(a: LogPosition, b: LogPosition): number {
  if (a.commit !== b.commit) return a.commit < b.commit ? -1 : 1;
  if (a.prepare !== b.prepare) return a.prepare < b.prepare ? -1 : 1;
  return 0;
}

/** "no_stream": the stream must not exist; a number: the revision of its last event; "any": no check. */
export type ExpectedRevision = "no_stream" | "any" | bigint;

export type EventToAppend = DomainEvent & { readonly id: string; readonly metadata: EventMetadata };

export type RecordedEvent = DomainEvent & {
  readonly id: string;
  readonly metadata: EventMetadata;
  readonly streamId: string;
  /** 0 for a stream's first event. */
  readonly revision: bigint;
  /** The single number a client can hold on to (Postgres global position, EventStoreDB commit). */
  readonly position: bigint;
  readonly logPosition: LogPosition;
  /** The version the event was stored with, before upcasting. */
  readonly storedVersion: number;
};

export interface AppendResult {
  readonly nextRevision: bigint;
  /** Position of the last appended event. */
  readonly position: bigint;
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

export interface EventStore {
  /** Appends events to one stream atomically if the stream is at the expected revision. */
  append(
    streamId: string,
    events: readonly EventToAppend[],
    expected: ExpectedRevision,
  ): Promise<AppendResult>;
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
  close(): Promise<void>;
}
