import {
  ANY,
  type AppendExpectedRevision,
  BACKWARDS,
  END,
  type EventStoreDBClient,
  excludeSystemEvents,
  FORWARDS,
  jsonEvent,
  NO_STREAM,
  type ResolvedEvent,
  START,
  StreamNotFoundError,
  WrongExpectedVersionError,
} from "@eventstore/db-client";
import { currentVersion } from "../events/chatEvents";
import type { EventMetadata } from "../events/metadata";
import { upcast } from "../events/upcasters";
import {
  type AppendResult,
  ConcurrencyError,
  checkStreamAppends,
  type EventStoreAdapter,
  type EventToAppend,
  type ExpectedRevision,
  type LogPosition,
  logStart,
  type RecordedEvent,
  type StreamAppend,
  type StreamCheck,
} from "./eventStore";

// The EventStoreDB vocabulary stays in this file: the rest of the code sees the event-store port only.

export function toEsdbExpected(expected: ExpectedRevision): AppendExpectedRevision {
  if (expected === "no_stream") return NO_STREAM;
  if (expected === "any") return ANY;
  return expected;
}

/** The schema version travels in the event's metadata; EventStoreDB has no field of its own for it. */
export function toEsdbMetadata(event: EventToAppend): Record<string, unknown> {
  return { ...event.metadata, schema_version: currentVersion[event.type] };
}

/** Maps a resolved EventStoreDB event to ours, upcasting its data; null for system and non-JSON events. */
export function fromEsdb(resolved: ResolvedEvent): RecordedEvent | null {
  const e = resolved.event;
  if (!e?.isJson || e.type.startsWith("$") || !e.position) return null;
  const { schema_version, ...metadata } = (e.metadata ?? {}) as Record<string, unknown>;
  const storedVersion = typeof schema_version === "number" ? schema_version : 1;
  return {
    ...upcast(e.type, storedVersion, e.data),
    id: e.id,
    metadata: metadata as EventMetadata,
    streamId: e.streamId,
    revision: e.revision,
    position: e.position.commit,
    logPosition: { commit: e.position.commit, prepare: e.position.prepare },
    storedVersion,
    stored: { data: e.data, recordedAt: e.created },
  };
}

function isAfter(event: RecordedEvent, after: LogPosition): boolean {
  const p = event.logPosition;
  return p.commit > after.commit || (p.commit === after.commit && p.prepare > after.prepare);
}

const fromPosition = (after: LogPosition) =>
  after.commit === logStart.commit && after.prepare === logStart.prepare
    ? START
    : { commit: after.commit, prepare: after.prepare };

/** The event store on EventStoreDB (production): streams as they are, the global log as `$all`. */
export function createEventStoreDbEventStore(client: EventStoreDBClient): EventStoreAdapter {
  async function append(streamId: string, events: readonly EventToAppend[], expected: ExpectedRevision) {
    try {
      const result = await client.appendToStream(
        streamId,
        events.map((e) =>
          jsonEvent({ id: e.id, type: e.type, data: e.data as never, metadata: toEsdbMetadata(e) }),
        ),
        { expectedRevision: toEsdbExpected(expected) },
      );
      return { nextRevision: result.nextExpectedRevision, position: result.position?.commit ?? 0n };
    } catch (err) {
      if (err instanceof WrongExpectedVersionError) {
        const actual = err.actualVersion;
        throw new ConcurrencyError(
          streamId,
          expected,
          typeof actual === "bigint" ? actual : actual === NO_STREAM ? "no_stream" : "unknown",
        );
      }
      throw err;
    }
  }

  async function readLastEvent(streamId: string) {
    try {
      for await (const resolved of client.readStream(streamId, {
        direction: BACKWARDS,
        fromRevision: END,
        maxCount: 1,
      })) {
        const event = fromEsdb(resolved);
        if (event) return event;
      }
    } catch (err) {
      if (err instanceof StreamNotFoundError) return null;
      throw err;
    }
    return null;
  }

  /**
   * NOT atomic: EventStoreDB, and @eventstore/db-client, have no transaction across streams. Every stream's
   * expected revision is checked first, so a conflict seen before writing writes nothing; then the streams are
   * appended one by one, in order, each at its expected revision. A writer that moves a later stream between
   * the check and its append, or a crash part-way, leaves the earlier streams written: the commands that use
   * several streams decide so that their next attempt completes such a partial append.
   */
  async function appendToStreams(
    writes: readonly StreamAppend<EventToAppend>[],
    checks: readonly StreamCheck[] = [],
  ) {
    checkStreamAppends(writes, checks);
    await Promise.all(
      [...checks, ...writes].map(async (w) => {
        if (w.expected === "any") return;
        const last = await readLastEvent(w.streamId);
        const actual = last ? last.revision : "no_stream";
        if (actual !== w.expected) throw new ConcurrencyError(w.streamId, w.expected, actual);
      }),
    );
    const results: AppendResult[] = [];
    for (const w of writes) results.push(await append(w.streamId, w.events, w.expected));
    return results;
  }

  return {
    append,
    appendToStreams,
    readLastEvent,
    async readStream(streamId: string, fromRevision = 0n) {
      const out: RecordedEvent[] = [];
      try {
        for await (const resolved of client.readStream(streamId, {
          direction: FORWARDS,
          fromRevision: fromRevision === 0n ? START : fromRevision,
        })) {
          const event = fromEsdb(resolved);
          if (event) out.push(event);
        }
      } catch (err) {
        if (err instanceof StreamNotFoundError) return [];
        throw err;
      }
      return out;
    },

    async readAll(after: LogPosition, maxCount: number) {
      const out: RecordedEvent[] = [];
      for await (const resolved of client.readAll({
        direction: FORWARDS,
        fromPosition: fromPosition(after),
        maxCount: maxCount + 1,
      })) {
        const event = fromEsdb(resolved);
        if (event && isAfter(event, after)) out.push(event);
        if (out.length === maxCount) break;
      }
      return out;
    },

    async readAt(position: bigint) {
      for await (const resolved of client.readAll({
        direction: FORWARDS,
        fromPosition: { commit: position, prepare: position },
        maxCount: 1,
      })) {
        const event = fromEsdb(resolved);
        return event && event.position === position ? event : null;
      }
      return null;
    },

    async *follow(after: LogPosition, options: { signal: AbortSignal; batchSize?: number }) {
      // A catch-up subscription to $all without system events, from the stored position (both parts).
      const subscription = client.subscribeToAll({
        fromPosition: fromPosition(after),
        filter: excludeSystemEvents(),
      });
      const stop = () => void subscription.unsubscribe();
      options.signal.addEventListener("abort", stop);
      try {
        for await (const resolved of subscription) {
          if (options.signal.aborted) break;
          const event = fromEsdb(resolved);
          if (event && isAfter(event, after)) yield [event];
        }
      } finally {
        options.signal.removeEventListener("abort", stop);
        await subscription.unsubscribe().catch(() => undefined);
      }
    },

    close: () => client.dispose(),
  };
}
