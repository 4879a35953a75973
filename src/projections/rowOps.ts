import type { Fact } from "../events/chatEvents";

/** What a projection asks the writer to do for one event: plain data, so projections stay pure and testable. */
export type ReadTable = "chat_users" | "chat_sessions" | "chat_session_contacts";

export type Row = Readonly<Record<string, unknown>>;

export type RowOp =
  | {
      readonly kind: "upsert";
      readonly table: ReadTable;
      readonly row: Row;
      readonly conflict: readonly string[];
      /** "replace": the row takes the new values; "keep": an existing row stays as it is. */
      readonly onConflict: "replace" | "keep";
    }
  | { readonly kind: "update"; readonly table: ReadTable; readonly set: Row; readonly where: Row }
  /** Blanks the personal columns of the chat users' rows in the table (src/projections/erasure.ts). */
  | { readonly kind: "erase"; readonly table: ReadTable; readonly chatUserIds: readonly string[] };

export interface Projection {
  readonly name: string;
  readonly table: ReadTable;
  project(event: Fact): RowOp[];
}
