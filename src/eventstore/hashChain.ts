import { createHash } from "node:crypto";
import { currentVersion } from "../events/chatEvents";
import type { EventMetadata } from "../events/metadata";
import type { EventToAppend, NewEvent } from "./eventStore";

/** What an event's hash covers: where it sits, what it says as stored, and the hash before it. */
export interface ChainedEvent {
  readonly streamId: string;
  readonly revision: bigint;
  readonly eventId: string;
  readonly type: string;
  readonly schemaVersion: number;
  readonly data: unknown;
  /** The stored metadata; its own `hash` and `previous_hash` are left out of the hash. */
  readonly metadata: Record<string, unknown>;
}

/**
 * JSON with object keys sorted at every level and no whitespace, so the same value always hashes the same
 * whatever order Postgres' jsonb gives the keys back in.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") {
    if (value === undefined) return "null";
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
}

/** SHA-256 (hex) of an event chained to the hash of the previous event of its stream (null for the first). */
export function eventHash(event: ChainedEvent, previousHash: string | null): string {
  const { hash: _hash, previous_hash: _previous, ...metadata } = event.metadata;
  const body = canonicalJson({
    stream_id: event.streamId,
    stream_revision: event.revision.toString(),
    event_id: event.eventId,
    event_type: event.type,
    schema_version: event.schemaVersion,
    data: event.data,
    metadata,
    previous_hash: previousHash,
  });
  return createHash("sha256").update(body).digest("hex");
}

/** The hash an event's metadata carries, or null for an event written before events were chained. */
export function storedHash(metadata: Record<string, unknown>): string | null {
  return typeof metadata.hash === "string" ? metadata.hash : null;
}

/** Where the next appended event of a stream goes: its revision, and the hash it chains to. */
export interface ChainHead {
  readonly revision: bigint;
  readonly previousHash: string | null;
}

/**
 * Stamps ids (a given id is kept) and hashes on events appended at `head`, each chained to the one before it,
 * the first to the stream's last stored event. A `hash` or `previous_hash` already in the metadata is replaced.
 */
export function chainEvents(
  streamId: string,
  head: ChainHead,
  events: readonly NewEvent[],
  newId: () => string,
): EventToAppend[] {
  let previousHash = head.previousHash;
  let revision = head.revision;
  return events.map((e) => {
    const id = e.id ?? newId();
    const { hash: _hash, previous_hash: _previous, ...base } = e.metadata;
    const hash = eventHash(
      {
        streamId,
        revision,
        eventId: id,
        type: e.type,
        schemaVersion: currentVersion[e.type],
        data: e.data,
        metadata: base,
      },
      previousHash,
    );
    const metadata: EventMetadata = { ...base, previous_hash: previousHash, hash };
    previousHash = hash;
    revision++;
    return { ...e, id, metadata } as EventToAppend;
  });
}
