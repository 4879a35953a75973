import { type EventLog, type LogPosition, logStart, type RecordedEvent } from "../eventstore/eventStore";

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

/** Events one page reads from the log at most: a selective filter answers a shorter page, with a cursor, in bounded time. */
const SCAN_BUDGET = 5000;
const CHUNK = 500;

/** A cursor is the log position of the last event a page looked at: "<commit>.<prepare>". */
export function formatCursor(p: LogPosition): string {
  return `${p.commit}.${p.prepare}`;
}

export function parseCursor(cursor: string): LogPosition | null {
  const m = /^(\d{1,20})\.(\d{1,20})$/.exec(cursor);
  return m?.[1] && m[2] ? { commit: BigInt(m[1]), prepare: BigInt(m[2]) } : null;
}

const isAfter = (p: LogPosition, q: LogPosition) =>
  p.commit > q.commit || (p.commit === q.commit && p.prepare > q.prepare);

/** The stored form the store's reads carry (every adapter sets it; the contract suite checks). */
export function storedOf(e: RecordedEvent): { data: unknown; recordedAt: Date } {
  if (!e.stored) throw new Error(`event ${e.id} was read without its stored form`);
  return e.stored;
}

export function toAuditEvent(e: RecordedEvent): AuditEvent {
  const stored = storedOf(e);
  return {
    global_position: Number(e.position),
    log_position: formatCursor(e.logPosition),
    stream_id: e.streamId,
    stream_revision: Number(e.revision),
    event_id: e.id,
    type: e.type,
    schema_version: e.storedVersion,
    data: stored.data,
    metadata: e.metadata as unknown as Record<string, unknown>,
    recorded_at: stored.recordedAt.toISOString(),
  };
}

function inRange(e: RecordedEvent, range: AuditRange): boolean {
  const at = storedOf(e).recordedAt;
  const position = Number(e.position);
  if (range.fromPosition !== undefined && position < range.fromPosition) return false;
  if (range.toPosition !== undefined && position > range.toPosition) return false;
  if (range.fromTime && at < range.fromTime) return false;
  if (range.toTime && at >= range.toTime) return false;
  if (range.upToTime && at > range.upToTime) return false;
  return true;
}

function selects(selection: AuditSelection, e: RecordedEvent): boolean {
  if (selection.kind === "log") return true;
  if (selection.kind === "stream") return e.streamId === selection.streamId;
  return selection.ownerIds.includes(String(e.metadata.owner_id));
}

/**
 * Reads a page of events in log order through the event-store port, so it reads the same from Postgres and
 * EventStoreDB: one stream by `readStream`, anything else by scanning `readAll` (which never skips an event a
 * slower append commits later) and filtering. A page stops at `limit` events or after SCAN_BUDGET events read.
 */
export async function readAuditPage(
  log: EventLog,
  selection: AuditSelection,
  range: AuditRange,
  after: LogPosition | null,
  limit: number,
): Promise<AuditPage> {
  const wanted = (e: RecordedEvent) =>
    selects(selection, e) && inRange(e, range) && !(range.upTo && isAfter(e.logPosition, range.upTo));
  if (selection.kind === "stream") {
    const events = (await log.readStream(selection.streamId)).filter(
      (e) => (after === null || isAfter(e.logPosition, after)) && wanted(e),
    );
    const page = events.slice(0, limit);
    const last = page.at(-1);
    return {
      events: page.map(toAuditEvent),
      next: last && events.length > limit ? formatCursor(last.logPosition) : null,
    };
  }
  const events: AuditEvent[] = [];
  let position = after ?? logStart;
  let scanned = 0;
  for (;;) {
    const chunk = await log.readAll(position, CHUNK);
    for (const e of chunk) {
      position = e.logPosition;
      scanned++;
      if (range.upTo && isAfter(e.logPosition, range.upTo)) return { events, next: null };
      if (wanted(e)) events.push(toAuditEvent(e));
      if (events.length === limit) return { events, next: formatCursor(position) };
    }
    if (chunk.length < CHUNK) return { events, next: null };
    if (scanned >= SCAN_BUDGET) return { events, next: formatCursor(position) };
  }
}

/** Every page of a selection in turn, one page in memory at a time (for NDJSON exports and point-in-time folds). */
export async function* readAuditEvents(
  log: EventLog,
  selection: AuditSelection,
  range: AuditRange = {},
  pageSize = 500,
): AsyncGenerator<AuditEvent[]> {
  let after: LogPosition | null = null;
  for (;;) {
    const page = await readAuditPage(log, selection, range, after, pageSize);
    if (page.events.length > 0) yield page.events;
    if (page.next === null) return;
    after = parseCursor(page.next);
  }
}

/** Every event of the log in turn, a chunk at a time. */
export async function* scanLog(log: EventLog, upTo?: LogPosition): AsyncGenerator<RecordedEvent[]> {
  let position = logStart;
  for (;;) {
    const chunk = await log.readAll(position, CHUNK);
    const last = chunk.at(-1);
    if (!last) return;
    const within = upTo ? chunk.filter((e) => !isAfter(e.logPosition, upTo)) : chunk;
    if (within.length > 0) yield within;
    if (within.length < chunk.length || chunk.length < CHUNK) return;
    position = last.logPosition;
  }
}

/** Every merge in the log: which chat user was merged into which. */
export async function mergesIn(log: EventLog): Promise<{ from: string; into: string }[]> {
  const merges: { from: string; into: string }[] = [];
  for await (const chunk of scanLog(log)) {
    for (const e of chunk)
      if (e.type === "ChatUserMergedInto")
        merges.push({ from: e.data.chat_user_id, into: e.data.into_chat_user_id });
  }
  return merges;
}

/** A closure over merges: from `start`, following each merge from one end to the other. */
export function closure(
  start: readonly string[],
  edges: readonly { from: string; into: string }[],
  towards: "from" | "into",
): string[] {
  const seen = new Set(start);
  for (let grew = true; grew; ) {
    grew = false;
    for (const edge of edges) {
      const [known, next] = towards === "from" ? [edge.into, edge.from] : [edge.from, edge.into];
      if (seen.has(known) && !seen.has(next)) {
        seen.add(next);
        grew = true;
      }
    }
  }
  return [...seen];
}

/** A chat user and every chat user merged into it, directly or through another merged user. */
export async function mergedUserIds(log: EventLog, chatUserId: string): Promise<string[]> {
  return closure([chatUserId], await mergesIn(log), "from");
}
