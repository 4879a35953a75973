import type { Fact } from "../events/chatEvents";
import type { LogPosition } from "../eventstore/eventStore";

/** What a projection asks the writer to do for one event: plain data, so projections stay pure and testable. */
export type ReadTable =
  | "chat_users"
  | "chat_sessions"
  | "chat_session_contacts"
  | "chat_messages"
  | "chat_agents"
  | "chat_notes"
  | "canned_responses"
  | "search_documents";

export type Row = Readonly<Record<string, unknown>>;

export type RowOp =
  | {
      readonly kind: "upsert";
      readonly table: ReadTable;
      readonly row: Row;
      readonly conflict: readonly string[];
      /** "replace": the row takes the new values; "keep": an existing row stays as it is. */
      readonly onConflict: "replace" | "keep";
      /** Set by `versioned`: a row already written by a later event is left as it is. */
      readonly version?: string;
    }
  | {
      readonly kind: "update";
      readonly table: ReadTable;
      readonly set: Row;
      readonly where: Row;
      readonly version?: string;
    }
  /** Blanks the personal columns of the chat users' rows in the table (src/projections/erasure.ts). */
  | { readonly kind: "erase"; readonly table: ReadTable; readonly chatUserIds: readonly string[] };

export interface Projection {
  readonly name: string;
  readonly table: ReadTable;
  project(event: Fact): RowOp[];
}

/** The column in which each read row keeps the log position of the event that last wrote it. */
export const ROW_VERSION = "applied_position";

/**
 * A log position as one number that sorts in log order: commit × 2^64 + prepare. Not the global position
 * alone, which orders one stream but not the log (Postgres orders it by transaction first), so a row written
 * by events of two streams (a session moved by a merge) keeps the log's order.
 */
export function rowVersion(position: LogPosition): bigint {
  return (position.commit << 64n) + position.prepare;
}

/**
 * The op as the writer runs it for the event at `position`: the row records that position, and a row that a
 * later event already wrote is left alone — so re-applying an old event (a dead letter retried after newer
 * events were applied) can never overwrite newer data. A "keep" upsert inserts a placeholder row (a merge
 * target whose own events are not applied yet): it gets no version, so the target's own events always win.
 */
export function versioned(op: RowOp, position: LogPosition): RowOp {
  if (op.kind === "erase") return op; // blanking applies to every row of the person, whatever wrote it
  const version = rowVersion(position).toString();
  if (op.kind === "update") return { ...op, set: { ...op.set, [ROW_VERSION]: version }, version };
  if (op.onConflict === "keep") return { ...op, row: { ...op.row, [ROW_VERSION]: null } };
  return { ...op, row: { ...op.row, [ROW_VERSION]: version }, version };
}

/** Whether a row stored with `stored` version may be written by an op of `version` (same event: yes). */
export function isNotNewer(stored: unknown, version: string | undefined): boolean {
  if (version === undefined || stored === null || stored === undefined) return true;
  return BigInt(String(stored)) <= BigInt(version);
}
