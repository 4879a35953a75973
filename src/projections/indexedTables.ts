import type { Fact } from "../events/chatEvents";
import type { LogPosition } from "../eventstore/eventStore";
import { erasuresInMemory } from "./erasure";
import { projections } from "./index";
import { isNotNewer, type ReadTable, ROW_VERSION, type Row, type RowOp, versioned } from "./rowOps";

type MutableRow = Record<string, unknown>;

/** One read table in memory, indexed by whichever columns the row operations look rows up by. */
class IndexedTable {
  readonly rows: MutableRow[] = [];
  /** Rows inserted or changed since the last takeChanged(). */
  private changed = new Set<MutableRow>();
  private readonly indexes = new Map<string, Map<unknown, Set<MutableRow>>>();

  private index(column: string): Map<unknown, Set<MutableRow>> {
    let index = this.indexes.get(column);
    if (!index) {
      index = new Map();
      for (const row of this.rows) add(index, row[column], row);
      this.indexes.set(column, index);
    }
    return index;
  }

  /** The rows whose columns equal `where`'s values, looked up by the first column's index. */
  find(where: Row): MutableRow[] {
    const [first, ...rest] = Object.entries(where);
    if (!first) return [...this.rows];
    const candidates = this.index(first[0]).get(first[1]);
    if (!candidates) return [];
    return [...candidates].filter((row) => rest.every(([k, v]) => row[k] === v));
  }

  insert(values: Row): void {
    const row = { ...values };
    this.rows.push(row);
    this.changed.add(row);
    for (const [column, index] of this.indexes) add(index, row[column], row);
  }

  assign(row: MutableRow, set: Row): void {
    for (const [column, index] of this.indexes) {
      if (!(column in set) || set[column] === row[column]) continue;
      index.get(row[column])?.delete(row);
      add(index, set[column], row);
    }
    Object.assign(row, set);
    this.changed.add(row);
  }

  takeChanged(): MutableRow[] {
    const rows = [...this.changed];
    this.changed = new Set();
    return rows;
  }
}

function add(index: Map<unknown, Set<MutableRow>>, value: unknown, row: MutableRow) {
  let set = index.get(value);
  if (!set) {
    set = new Set();
    index.set(value, set);
  }
  set.add(row);
}

/**
 * The read tables folded in memory with the semantics applyEvents gives row operations in Postgres (upsert on
 * the conflict columns, replacing or keeping; update by columns) — memoryTables' applyRowOp, indexed, so a
 * whole log folds in linear time. A rebuild folds the log here and writes only the final rows.
 */
export class IndexedTables {
  readonly tables: Record<ReadTable, IndexedTable> = {
    chat_users: new IndexedTable(),
    chat_sessions: new IndexedTable(),
    chat_session_contacts: new IndexedTable(),
    chat_messages: new IndexedTable(),
    chat_agents: new IndexedTable(),
    chat_notes: new IndexedTable(),
    canned_responses: new IndexedTable(),
    search_documents: new IndexedTable(),
  };

  apply(op: RowOp): void {
    const table = this.tables[op.table];
    if (op.kind === "erase") {
      const plain = {
        chat_users: this.tables.chat_users.rows,
        chat_sessions: this.tables.chat_sessions.rows,
        chat_session_contacts: this.tables.chat_session_contacts.rows,
        chat_messages: this.tables.chat_messages.rows,
        chat_agents: this.tables.chat_agents.rows,
        chat_notes: this.tables.chat_notes.rows,
        canned_responses: this.tables.canned_responses.rows,
        search_documents: this.tables.search_documents.rows,
      };
      for (const { row, set } of erasuresInMemory(plain, op.table, op.chatUserIds)) table.assign(row, set);
      return;
    }
    if (op.kind === "update") {
      for (const row of table.find(op.where))
        if (isNotNewer(row[ROW_VERSION], op.version)) table.assign(row, op.set);
      return;
    }
    const key = Object.fromEntries(op.conflict.map((c) => [c, op.row[c]]));
    const existing = table.find(key)[0];
    if (!existing) table.insert(op.row);
    else if (op.onConflict === "replace" && isNotNewer(existing[ROW_VERSION], op.version))
      table.assign(existing, op.row);
  }

  /** Folds one event; with its log position the rows carry their version, as applyEvents writes them. */
  fold(fact: Fact, position?: LogPosition): void {
    for (const projection of projections)
      for (const op of projection.project(fact)) this.apply(position ? versioned(op, position) : op);
  }

  rows(table: ReadTable): readonly Row[] {
    return this.tables[table].rows;
  }

  /** The rows of a table inserted or changed since the last call, each once. */
  takeChanged(table: ReadTable): readonly Row[] {
    return this.tables[table].takeChanged();
  }
}
