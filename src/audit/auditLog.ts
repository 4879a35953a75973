import type { Knex } from "knex";
import type { LogPosition } from "../eventstore/eventStore";
import type { EventRow } from "../eventstore/postgresEventStore";

/** One stored event as an auditor sees it: exactly as recorded (stored schema version and data, not upcast). */
export interface AuditEvent {
  readonly global_position: number;
  readonly log_position: string;
  readonly stream_id: string;
  readonly stream_revision: number;
  readonly event_id: string;
  readonly type: string;
  readonly schema_version: number;
  readonly data: unknown;
  readonly metadata: Record<string, unknown>;
  readonly recorded_at: string;
}

/** Which events to read: one of the selections, optionally narrowed by position and time. */
export type AuditSelection =
  | { readonly kind: "stream"; readonly streamId: string }
  | { readonly kind: "owners"; readonly ownerIds: readonly string[] }
  | { readonly kind: "log" };

export interface AuditRange {
  readonly fromPosition?: number;
  readonly toPosition?: number;
  readonly fromTime?: Date;
  readonly toTime?: Date;
  /** Up to and including this log position (point-in-time reads). */
  readonly upTo?: LogPosition;
  /** Recorded at or before this time (point-in-time reads). */
  readonly upToTime?: Date;
}

export interface AuditPage {
  readonly events: AuditEvent[];
  /** Cursor for the next page, or null at the end of what is readable now. */
  readonly next: string | null;
}

type Row = Omit<EventRow, "metadata"> & { metadata: Record<string, unknown>; recorded_at: Date };

/** A cursor is the log position of the last event of a page: "<transaction id>.<global position>". */
export function formatCursor(p: LogPosition): string {
  return `${p.commit}.${p.prepare}`;
}

export function parseCursor(cursor: string): LogPosition | null {
  const m = /^(\d{1,20})\.(\d{1,20})$/.exec(cursor);
  return m?.[1] && m[2] ? { commit: BigInt(m[1]), prepare: BigInt(m[2]) } : null;
}

function toAuditEvent(r: Row): AuditEvent {
  return {
    global_position: Number(r.global_position),
    log_position: `${r.transaction_text}.${r.global_position}`,
    stream_id: r.stream_id,
    stream_revision: Number(r.stream_revision),
    event_id: r.event_id,
    type: r.event_type,
    schema_version: r.schema_version,
    data: r.data,
    metadata: r.metadata,
    recorded_at: r.recorded_at.toISOString(),
  };
}

/**
 * Reads a page of events in log order (transaction id, global position), only below the oldest transaction
 * still in flight, so paging with the cursor never skips an event a slower append commits later.
 */
export async function readAuditPage(
  knex: Knex,
  selection: AuditSelection,
  range: AuditRange,
  after: LogPosition | null,
  limit: number,
): Promise<AuditPage> {
  const q = knex
    .table("events")
    .select(
      "global_position",
      knex.raw("transaction_id::text AS transaction_text"),
      "stream_id",
      "stream_revision",
      "event_id",
      "event_type",
      "schema_version",
      "data",
      "metadata",
      "recorded_at",
    )
    .whereRaw("transaction_id < pg_snapshot_xmin(pg_current_snapshot())")
    .orderBy([
      { column: "transaction_id", order: "asc" },
      { column: "global_position", order: "asc" },
    ])
    .limit(limit);
  if (selection.kind === "stream") q.where("stream_id", selection.streamId);
  if (selection.kind === "owners") {
    const marks = selection.ownerIds.map(() => "?").join(", ");
    q.whereRaw(`metadata->>'owner_id' IN (${marks})`, [...selection.ownerIds]);
  }
  if (after)
    q.whereRaw("(transaction_id, global_position) > (?::text::xid8, ?::bigint)", [
      after.commit.toString(),
      after.prepare.toString(),
    ]);
  if (range.upTo)
    q.whereRaw("(transaction_id, global_position) <= (?::text::xid8, ?::bigint)", [
      range.upTo.commit.toString(),
      range.upTo.prepare.toString(),
    ]);
  if (range.fromPosition !== undefined) q.where("global_position", ">=", range.fromPosition);
  if (range.toPosition !== undefined) q.where("global_position", "<=", range.toPosition);
  if (range.fromTime) q.where("recorded_at", ">=", range.fromTime);
  if (range.toTime) q.where("recorded_at", "<", range.toTime);
  if (range.upToTime) q.where("recorded_at", "<=", range.upToTime);
  const rows = (await q) as Row[];
  const last = rows.at(-1);
  const next =
    last && rows.length === limit
      ? formatCursor({ commit: BigInt(last.transaction_text), prepare: BigInt(last.global_position) })
      : null;
  return { events: rows.map(toAuditEvent), next };
}

/** Every page of a selection in turn, one page in memory at a time (for NDJSON exports and verification). */
export async function* readAuditEvents(
  knex: Knex,
  selection: AuditSelection,
  range: AuditRange = {},
  pageSize = 500,
): AsyncGenerator<AuditEvent[]> {
  let after: LogPosition | null = null;
  for (;;) {
    const page = await readAuditPage(knex, selection, range, after, pageSize);
    if (page.events.length > 0) yield page.events;
    if (page.next === null) return;
    after = parseCursor(page.next);
  }
}

/** A chat user and every chat user merged into it, directly or through another merged user. */
export async function mergedUserIds(knex: Knex, chatUserId: string): Promise<string[]> {
  const result = await knex.raw(
    `WITH RECURSIVE merged(id) AS (
       SELECT ?::text
       UNION
       SELECT e.data->>'chat_user_id' FROM events e JOIN merged m ON e.data->>'into_chat_user_id' = m.id
       WHERE e.event_type = 'ChatUserMergedInto'
     )
     SELECT id FROM merged`,
    [chatUserId],
  );
  return (result.rows as { id: string }[]).map((r) => r.id);
}
