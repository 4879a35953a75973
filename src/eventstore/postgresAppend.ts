import type { Pool } from "pg";
import { currentVersion } from "../events/chatEvents";
import { type AppendQueueOptions, createAppendQueue, type Outcome } from "./appendQueue";
import {
  type AppendResult,
  type CarriedDataKey,
  ConcurrencyError,
  checkStreamAppends,
  DataKeyTakenError,
  type EventToAppend,
  type ExpectedRevision,
  type StreamAppend,
  type StreamCheck,
  SubjectErasedError,
} from "./eventStore";

function expectedToSql(expected: ExpectedRevision): string {
  if (expected === "no_stream") return "-1";
  if (expected === "any") return "-2";
  return expected.toString();
}

/** One caller's append as the queue carries it: the streams it writes, then those it only checks. */
export interface QueuedAppend {
  readonly entries: readonly { readonly streamId: string; readonly expected: ExpectedRevision }[];
  /** Events per entry (0 for a checked stream). */
  readonly counts: readonly number[];
  readonly events: readonly EventToAppend[];
  readonly keys: readonly CarriedDataKey[];
  /** How many of the entries are written (the rest are checks); one result each. */
  readonly writes: number;
}

/** A row of append_batch (migration 018). */
export interface BatchRow {
  readonly command_index: number;
  readonly stream_index: number;
  readonly next_revision: string | null;
  readonly last_position: string | null;
  readonly actual: string | null;
}

const keysJson = (keys: readonly CarriedDataKey[]) =>
  JSON.stringify(
    keys.map((k) => ({
      key_id: k.keyId,
      subject_id: k.subjectId,
      wrapped_key: k.wrappedKey.toString("base64"),
    })),
  );

/** append_batch's parameters for the appends of one call, in order. */
export function encodeBatch(items: readonly QueuedAppend[]): unknown[] {
  const entries = items.flatMap((c) => c.entries);
  const events = items.flatMap((c) => c.events);
  return [
    items.map((c) => c.entries.length),
    items.map((c) => (c.keys.length > 0 ? keysJson(c.keys) : null)),
    entries.map((e) => e.streamId),
    entries.map((e) => expectedToSql(e.expected)),
    items.flatMap((c) => c.counts),
    events.map((e) => e.id),
    events.map((e) => e.type),
    events.map((e) => currentVersion[e.type]),
    events.map((e) => JSON.stringify(e.data)),
    events.map((e) => JSON.stringify(e.metadata)),
  ];
}

/** Each append's outcome from append_batch's rows: its results, or the conflict on the stream it names. */
export function decodeBatch(
  items: readonly QueuedAppend[],
  rows: readonly BatchRow[],
): Outcome<AppendResult[]>[] {
  const byCommand = new Map<number, BatchRow[]>();
  for (const row of rows) {
    const list = byCommand.get(row.command_index) ?? [];
    list.push(row);
    byCommand.set(row.command_index, list);
  }
  return items.map((item, c): Outcome<AppendResult[]> => {
    const own = byCommand.get(c) ?? [];
    const conflict = own.find((r) => r.actual !== null);
    if (conflict) {
      const entry = item.entries[conflict.stream_index] ?? item.entries[0];
      if (!entry) return { ok: false, error: new Error("append_batch named no stream") };
      const actual = BigInt(conflict.actual as string);
      return {
        ok: false,
        error: new ConcurrencyError(entry.streamId, entry.expected, actual < 0n ? "no_stream" : actual),
      };
    }
    const results: AppendResult[] = [];
    for (let i = 0; i < item.writes; i++) {
      const row = own.find((r) => r.stream_index === i);
      if (!row || row.next_revision === null || row.last_position === null)
        return { ok: false, error: new Error(`append_batch returned no row for stream ${i}`) };
      results.push({ nextRevision: BigInt(row.next_revision), position: BigInt(row.last_position) });
    }
    return { ok: true, value: results };
  });
}

/**
 * The Postgres adapter's appends. Each is one SQL function call (one round trip, one transaction); concurrent
 * ones share a call when `batch` is on (the default): the append queue sends what arrives together as one
 * append_batch, each append checked on its own. A call that fails as a whole (a key another writer stored
 * first, an erased subject, a unique key taken by another process) is sent again one append at a time, so each
 * caller gets its own answer, as without the queue.
 */
export function createPostgresAppends(pool: Pool, options: { batch?: AppendQueueOptions | false } = {}) {
  async function appendAlone(item: QueuedAppend): Promise<AppendResult[]> {
    const [first] = item.entries;
    const events = item.events;
    if (first && item.entries.length === 1 && item.keys.length === 0) {
      try {
        const result = await pool.query<{ next_revision: string; last_position: string }>(
          "SELECT * FROM append_events($1, $2, $3::uuid[], $4::text[], $5::int[], $6::jsonb[], $7::jsonb[])",
          [
            first.streamId,
            expectedToSql(first.expected),
            events.map((e) => e.id),
            events.map((e) => e.type),
            events.map((e) => currentVersion[e.type]),
            events.map((e) => JSON.stringify(e.data)),
            events.map((e) => JSON.stringify(e.metadata)),
          ],
        );
        const last = result.rows.at(-1);
        if (!last) throw new Error("append returned no rows");
        return [{ nextRevision: BigInt(last.next_revision), position: BigInt(last.last_position) }];
      } catch (err) {
        throw asConcurrencyError(err, item.entries);
      }
    }
    try {
      // With data keys: migration 017's function stores them under the erasure lock, then appends.
      const sql =
        item.keys.length > 0
          ? `SELECT * FROM append_to_streams_with_keys($9::jsonb, $1::text[], $2::bigint[], $3::int[], $4::uuid[],
               $5::text[], $6::int[], $7::jsonb[], $8::jsonb[])`
          : `SELECT * FROM append_to_streams($1::text[], $2::bigint[], $3::int[], $4::uuid[], $5::text[], $6::int[],
               $7::jsonb[], $8::jsonb[])`;
      const result = await pool.query<{ stream_index: number; next_revision: string; last_position: string }>(
        sql,
        [
          item.entries.map((w) => w.streamId),
          item.entries.map((w) => expectedToSql(w.expected)),
          item.counts,
          events.map((e) => e.id),
          events.map((e) => e.type),
          events.map((e) => currentVersion[e.type]),
          events.map((e) => JSON.stringify(e.data)),
          events.map((e) => JSON.stringify(e.metadata)),
          ...(item.keys.length > 0 ? [keysJson(item.keys)] : []),
        ],
      );
      return Array.from({ length: item.writes }, (_, i) => {
        const row = result.rows.find((r) => r.stream_index === i);
        if (!row) throw new Error(`append_to_streams returned no row for stream ${i}`);
        return { nextRevision: BigInt(row.next_revision), position: BigInt(row.last_position) };
      });
    } catch (err) {
      throw asConcurrencyError(err, item.entries);
    }
  }

  const settle = (item: QueuedAppend) =>
    appendAlone(item).then(
      (value): Outcome<AppendResult[]> => ({ ok: true, value }),
      (error: unknown): Outcome<AppendResult[]> => ({ ok: false, error }),
    );

  async function sendBatch(items: readonly QueuedAppend[]): Promise<Outcome<AppendResult[]>[]> {
    const [only] = items;
    if (only && items.length === 1) return [await settle(only)];
    let rows: BatchRow[];
    try {
      const result = await pool.query<BatchRow>(
        `SELECT * FROM append_batch($1::int[], $2::jsonb[], $3::text[], $4::bigint[], $5::int[], $6::uuid[],
           $7::text[], $8::int[], $9::jsonb[], $10::jsonb[])`,
        encodeBatch(items),
      );
      rows = result.rows;
    } catch {
      // Nothing of the call was written: each append again on its own, for its own answer.
      return Promise.all(items.map(settle));
    }
    return decodeBatch(items, rows);
  }

  const queue = options.batch === false ? null : createAppendQueue(sendBatch, options.batch ?? {});
  const run = (item: QueuedAppend) => (queue ? queue.add(item) : appendAlone(item));

  async function append(streamId: string, events: readonly EventToAppend[], expected: ExpectedRevision) {
    if (events.length === 0) throw new Error("append needs at least one event");
    const [result] = await run({
      entries: [{ streamId, expected }],
      counts: [events.length],
      events,
      keys: [],
      writes: 1,
    });
    if (!result) throw new Error("append returned no rows");
    return result;
  }

  async function appendToStreams(
    writes: readonly StreamAppend<EventToAppend>[],
    checks: readonly StreamCheck[] = [],
    dataKeys: readonly CarriedDataKey[] = [],
  ) {
    checkStreamAppends(writes, checks);
    // A checked stream is an entry without events: the functions check its revision and insert nothing.
    const entries = [...writes, ...checks.map((c) => ({ ...c, events: [] as EventToAppend[] }))];
    return run({
      entries: entries.map((e) => ({ streamId: e.streamId, expected: e.expected })),
      counts: entries.map((e) => e.events.length),
      events: writes.flatMap((w) => w.events),
      keys: dataKeys,
      writes: writes.length,
    });
  }

  return { append, appendToStreams, stats: queue?.stats ?? null };
}

/**
 * Postgres' errors as the port's: an erased subject, a data key taken, and the ways of saying "another writer
 * got there first", as our error: the expected-revision check of the
 * append functions (its HINT names the stream of a multi-stream append), or a unique (stream, revision) key
 * that a concurrent append took between the check and the insert (its DETAIL names the stream).
 */
function asConcurrencyError(
  err: unknown,
  writes: readonly { streamId: string; expected: ExpectedRevision }[],
): unknown {
  const pgErr = err as { code?: string; constraint?: string; detail?: string; hint?: string };
  // What append_to_streams_with_keys (migration 017) raises: an erased subject; a key another writer stored.
  if (pgErr.code === "LC410") return new SubjectErasedError(pgErr.detail ?? "");
  if (pgErr.code === "LC409") return new DataKeyTakenError(pgErr.detail ?? "");
  if (pgErr.code === "P0409") {
    const write = writes[Number(pgErr.hint ?? 0)] ?? writes[0];
    if (write) return new ConcurrencyError(write.streamId, write.expected, actualRevision(pgErr.detail));
  }
  if (pgErr.code === "23505" && pgErr.constraint === "events_stream_id_stream_revision_key") {
    const write = writes.find((w) => pgErr.detail?.includes(`(${w.streamId},`)) ?? writes[0];
    if (write) return new ConcurrencyError(write.streamId, write.expected, "unknown");
  }
  // Two multi-stream appends that take the same streams in opposite orders: Postgres aborts one; it retries.
  if (pgErr.code === "40P01") {
    const write = writes[0];
    if (write) return new ConcurrencyError(write.streamId, write.expected, "unknown");
  }
  return err;
}

function actualRevision(detail: string | undefined): bigint | "no_stream" | "unknown" {
  if (detail === undefined) return "unknown";
  return detail === "-1" ? "no_stream" : BigInt(detail);
}
