import { randomUUID } from "node:crypto";
import { applyRowOp, emptyTables } from "../../src/projections/memoryTables";
import { type RowOp, rowVersion, versioned } from "../../src/projections/rowOps";
import { admit } from "../../src/projections/streamOrder";

describe("stream order: what the projector does with an event given its stream's stored revision", () => {
  test("the next revision applies and moves the stream on", () => {
    expect(admit(0n, undefined, false)).toEqual({ kind: "apply", advances: true });
    expect(admit(4n, 3n, false)).toEqual({ kind: "apply", advances: true });
  });

  test("at or below the stored revision: a redelivery, skipped", () => {
    expect(admit(3n, 3n, false)).toEqual({ kind: "skip" });
    expect(admit(0n, 3n, false)).toEqual({ kind: "skip" });
  });

  test("above stored + 1: a gap, refused with the revision it expected", () => {
    expect(admit(5n, 3n, false)).toEqual({ kind: "gap", expected: 4n });
    expect(admit(1n, undefined, false)).toEqual({ kind: "gap", expected: 0n });
    // A retried event is no exception: the missing ones must come first.
    expect(admit(5n, 3n, true)).toEqual({ kind: "gap", expected: 4n });
  });

  test("a retried dead letter at or below the stored revision applies without moving the stream back", () => {
    expect(admit(2n, 3n, true)).toEqual({ kind: "apply", advances: false });
    expect(admit(3n, 3n, true)).toEqual({ kind: "apply", advances: false });
  });
});

describe("row versions: an older event never overwrites a row a later event wrote", () => {
  const at = (commit: bigint, prepare: bigint) => ({ commit, prepare });
  const id = randomUUID();
  const upsert = (name: string): Extract<RowOp, { kind: "upsert" }> => ({
    kind: "upsert",
    table: "chat_session_contacts",
    conflict: ["session_id"],
    onConflict: "replace",
    row: { id, session_id: "s1", contact_name: name },
  });
  const update = (name: string): RowOp => ({
    kind: "update",
    table: "chat_session_contacts",
    where: { session_id: "s1" },
    set: { contact_name: name },
  });

  test("versions sort in log order: transaction (commit) first, then position", () => {
    expect(rowVersion(at(7n, 1n)) > rowVersion(at(6n, 900n))).toBe(true);
    expect(rowVersion(at(7n, 2n)) > rowVersion(at(7n, 1n))).toBe(true);
  });

  test("a replace or an update from an earlier position leaves the newer row", () => {
    const tables = emptyTables();
    applyRowOp(tables, versioned(upsert("Old"), at(1n, 10n)));
    applyRowOp(tables, versioned(update("New"), at(2n, 20n)));
    applyRowOp(tables, versioned(upsert("Old again"), at(1n, 10n))); // a retried dead letter
    applyRowOp(tables, versioned(update("Older"), at(1n, 15n)));
    expect(tables.chat_session_contacts).toEqual([
      { id, session_id: "s1", contact_name: "New", applied_position: rowVersion(at(2n, 20n)).toString() },
    ]);
  });

  test("later events, and the same event again, do write", () => {
    const tables = emptyTables();
    applyRowOp(tables, versioned(upsert("Old"), at(1n, 10n)));
    applyRowOp(tables, versioned(update("Same event"), at(1n, 10n)));
    expect(tables.chat_session_contacts[0]?.contact_name).toBe("Same event");
    applyRowOp(tables, versioned(upsert("Newer"), at(3n, 30n)));
    expect(tables.chat_session_contacts[0]?.contact_name).toBe("Newer");
  });

  test("a keep-placeholder carries no version, so the row's own (earlier) events still replace it", () => {
    const tables = emptyTables();
    const placeholder: RowOp = { ...upsert("From merge"), onConflict: "keep" };
    applyRowOp(tables, versioned(placeholder, at(9n, 90n)));
    expect(tables.chat_session_contacts[0]?.applied_position).toBeNull();
    applyRowOp(tables, versioned(upsert("Own event"), at(1n, 10n)));
    expect(tables.chat_session_contacts[0]?.contact_name).toBe("Own event");
  });
});
