import type { DomainEvent } from "./chatEvents";
import type { EventMetadata } from "./metadata";

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
  /**
   * The event as the store recorded it — its data before upcasting (what the hash chain covers) and when it was
   * recorded — for auditors. Every adapter's reads set it; an event rebuilt from the Kafka wire has none.
   */
  readonly stored?: { readonly data: unknown; readonly recordedAt: Date };
};

/** What a personal field reads as once its key is destroyed (erasure, retention), in events and read tables. */
export const ERASED = "[erased]";
