import { randomUUID } from "node:crypto";
import { currentVersion, type DomainEvent, type Fact } from "../events/chatEvents";
import { toFact } from "../events/facts";
import type { EventMetadata, RequestContext } from "../events/metadata";
import { ConcurrencyError, type EventStore, type ExpectedRevision } from "../eventstore/eventStore";
import { eventHash, storedHash } from "../eventstore/hashChain";

export interface LoadedStream<S> {
  readonly state: S;
  readonly expected: ExpectedRevision;
  /** Position of the stream's last event, for read-your-writes when a command changes nothing. */
  readonly position: bigint | null;
  /** Hash of the stream's last event, which the next appended event chains to (null: none, or unchained). */
  readonly lastHash?: string | null;
}

export async function loadStream<S>(
  store: EventStore,
  streamId: string,
  evolve: (state: S, event: Fact) => S,
  initial: S,
): Promise<LoadedStream<S>> {
  const events = await store.readStream(streamId);
  let state = initial;
  for (const e of events) state = evolve(state, toFact(e));
  const last = events.at(-1);
  return {
    state,
    expected: last ? last.revision : "no_stream",
    position: last ? last.position : null,
    lastHash: last ? storedHash(last.metadata) : null,
  };
}

/** Appends what a decider returned with the request's metadata; nothing to append returns the stream's position. */
export async function appendDecided(
  store: EventStore,
  streamId: string,
  loaded: LoadedStream<unknown>,
  events: readonly DomainEvent[],
  ctx: RequestContext,
  ownerId: string,
  causationId: string | null = null,
): Promise<bigint | null> {
  if (events.length === 0) return loaded.position;
  const occurredAt = ctx.now().toISOString();
  // Tamper evidence: each event's metadata carries a hash chained to the previous event of its stream.
  let previousHash = loaded.lastHash ?? null;
  let revision =
    loaded.expected === "no_stream" ? 0n : loaded.expected === "any" ? -1n : loaded.expected + 1n;
  if (revision < 0n) throw new Error("appendDecided needs an exact expected revision to chain hashes");
  const toAppend = events.map((e) => {
    const id = randomUUID();
    const base: EventMetadata = {
      occurred_at: occurredAt,
      correlation_id: ctx.correlationId,
      causation_id: causationId,
      actor: ctx.actor,
      ip: ctx.ip,
      user_agent: ctx.userAgent,
      owner_id: ownerId,
    };
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
    return { ...e, id, metadata };
  });
  const result = await store.append(streamId, toAppend, loaded.expected);
  return result.position;
}

/** Runs a command again from a fresh read when another writer got to a stream first. */
export async function retryOnConflict<T>(run: () => Promise<T>, attempts = 20): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (err) {
      if (!(err instanceof ConcurrencyError) || attempt >= attempts) throw err;
      await new Promise((r) => setTimeout(r, Math.random() * 5 * attempt));
    }
  }
}
