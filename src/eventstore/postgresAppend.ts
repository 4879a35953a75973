import type { Pool } from "pg";
import { currentVersion } from "../events/chatEvents";
import {
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

/** The Postgres adapter's appends: one SQL function call each, so one round trip and one transaction. */
export function createPostgresAppends(pool: Pool) {
  async function append(streamId: string, events: readonly EventToAppend[], expected: ExpectedRevision) {
    if (events.length === 0) throw new Error("append needs at least one event");
    try {
      const result = await pool.query<{ next_revision: string; last_position: string }>(
        "SELECT * FROM append_events($1, $2, $3::uuid[], $4::text[], $5::int[], $6::jsonb[], $7::jsonb[])",
        [
          streamId,
          expectedToSql(expected),
          events.map((e) => e.id),
          events.map((e) => e.type),
          events.map((e) => currentVersion[e.type]),
          events.map((e) => JSON.stringify(e.data)),
          events.map((e) => JSON.stringify(e.metadata)),
        ],
      );
      const last = result.rows.at(-1);
      if (!last) throw new Error("append returned no rows");
      return { nextRevision: BigInt(last.next_revision), position: BigInt(last.last_position) };
    } catch (err) {
      throw asConcurrencyError(err, [{ streamId, expected }]);
    }
  }

  async function appendToStreams(
    writes: readonly StreamAppend<EventToAppend>[],
    checks: readonly StreamCheck[] = [],
    dataKeys: readonly CarriedDataKey[] = [],
  ) {
    checkStreamAppends(writes, checks);
    const events = writes.flatMap((w) => w.events);
    // A checked stream is an entry without events: the function checks its revision and inserts nothing.
    const entries = [...writes, ...checks.map((c) => ({ ...c, events: [] }))];
    try {
      const keysJson = JSON.stringify(
        dataKeys.map((k) => ({
          key_id: k.keyId,
          subject_id: k.subjectId,
          wrapped_key: k.wrappedKey.toString("base64"),
        })),
      );
      // With data keys: migration 017's function stores them under the erasure lock, then appends.
      const sql =
        dataKeys.length > 0
          ? `SELECT * FROM append_to_streams_with_keys($9::jsonb, $1::text[], $2::bigint[], $3::int[], $4::uuid[],
               $5::text[], $6::int[], $7::jsonb[], $8::jsonb[])`
          : `SELECT * FROM append_to_streams($1::text[], $2::bigint[], $3::int[], $4::uuid[], $5::text[], $6::int[],
               $7::jsonb[], $8::jsonb[])`;
      const result = await pool.query<{ stream_index: number; next_revision: string; last_position: string }>(
        sql,
        [
          entries.map((w) => w.streamId),
          entries.map((w) => expectedToSql(w.expected)),
          entries.map((w) => w.events.length),
          events.map((e) => e.id),
          events.map((e) => e.type),
          events.map((e) => currentVersion[e.type]),
          events.map((e) => JSON.stringify(e.data)),
          events.map((e) => JSON.stringify(e.metadata)),
          ...(dataKeys.length > 0 ? [keysJson] : []),
        ],
      );
      return writes.map((_, i) => {
        const row = result.rows.find((r) => r.stream_index === i);
        if (!row) throw new Error(`append_to_streams returned no row for stream ${i}`);
        return { nextRevision: BigInt(row.next_revision), position: BigInt(row.last_position) };
      });
    } catch (err) {
      throw asConcurrencyError(err, entries);
    }
  }

  return { append, appendToStreams };
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
