import fc from "fast-check";
import type { NewEvent } from "../../src/eventstore/eventStore";
import { type ChainedEvent, canonicalJson, chainEvents, eventHash } from "../../src/eventstore/hashChain";
import { applyRowOp, emptyTables } from "../../src/projections/memoryTables";

const event: ChainedEvent = {
  streamId: "chatSession-1",
  revision: 3n,
  eventId: "e1",
  type: "ChatSessionContactSet",
  schemaVersion: 1,
  data: { contact_name: "Siti", contact_phone: null, nested: { b: 1, a: [2, { d: 1, c: 0 }] } },
  metadata: { occurred_at: "2024-01-01T00:00:00.000Z", actor: { kind: "anonymous", id: "x" } },
};

describe("canonical JSON", () => {
  test("sorts keys at every level and drops whitespace", () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[1,{"y":2,"z":1}]},"b":1}',
    );
  });

  test("the same value in any key order gives the same text", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (obj) => {
        const reversed = Object.fromEntries(Object.entries(obj).reverse());
        expect(canonicalJson(reversed)).toBe(canonicalJson(obj));
        expect(JSON.parse(canonicalJson(obj))).toEqual(JSON.parse(JSON.stringify(obj)));
      }),
    );
  });
});

describe("event hash", () => {
  const base = eventHash(event, "prev");

  test("is SHA-256 hex and ignores the metadata's own hash fields", () => {
    expect(base).toMatch(/^[0-9a-f]{64}$/);
    expect(
      eventHash({ ...event, metadata: { ...event.metadata, hash: "h", previous_hash: "p" } }, "prev"),
    ).toBe(base);
  });

  test("changes with the data, the metadata, the position in the stream, and the previous hash", () => {
    expect(
      eventHash({ ...event, data: { ...(event.data as object), contact_name: "Mallory" } }, "prev"),
    ).not.toBe(base);
    expect(eventHash({ ...event, metadata: { ...event.metadata, ip: "1.2.3.4" } }, "prev")).not.toBe(base);
    expect(eventHash({ ...event, revision: 4n }, "prev")).not.toBe(base);
    expect(eventHash({ ...event, streamId: "chatSession-2" }, "prev")).not.toBe(base);
    expect(eventHash({ ...event, schemaVersion: 2 }, "prev")).not.toBe(base);
    expect(eventHash(event, null)).not.toBe(base);
  });
});

describe("chaining several events appended at once", () => {
  const metadata = {
    occurred_at: "2024-01-01T00:00:00.000Z",
    correlation_id: "c",
    causation_id: null,
    actor: { kind: "anonymous" as const, id: "x" },
    ip: "127.0.0.1",
    user_agent: null,
    owner_id: "u",
  };
  const contact = (name: string, id?: string): NewEvent => ({
    type: "ChatSessionContactUpdated",
    data: {
      session_id: "s",
      contact_name: name,
      contact_email: "a@b.id",
      contact_phone: null,
      position: null,
      company_name: null,
    },
    metadata,
    ...(id === undefined ? {} : { id }),
  });
  let counter = 0;
  const newId = () => `id-${++counter}`;

  test("each event gets an id from newId (a given one is kept) and a hash chained to the one before", () => {
    const chained = chainEvents(
      "chatSession-s",
      { revision: 7n, previousHash: "h6" },
      [contact("A"), contact("B", "given"), contact("C")],
      newId,
    );
    expect(chained.map((e) => e.id)).toEqual(["id-1", "given", "id-2"]);
    let previous: string | null = "h6";
    chained.forEach((e, i) => {
      expect(e.metadata.previous_hash).toBe(previous);
      const hash = eventHash(
        {
          streamId: "chatSession-s",
          revision: 7n + BigInt(i),
          eventId: e.id,
          type: e.type,
          schemaVersion: 1,
          data: e.data,
          metadata: e.metadata,
        },
        previous,
      );
      expect(e.metadata.hash).toBe(hash);
      previous = hash;
    });
  });

  test("a hash already in the metadata is replaced, not trusted", () => {
    const forged = { ...contact("A", "e"), metadata: { ...metadata, hash: "forged", previous_hash: "x" } };
    const [stamped] = chainEvents("chatSession-s", { revision: 0n, previousHash: null }, [forged], newId);
    const [clean] = chainEvents(
      "chatSession-s",
      { revision: 0n, previousHash: null },
      [contact("A", "e")],
      newId,
    );
    expect(stamped?.metadata.previous_hash).toBeNull();
    expect(stamped?.metadata.hash).not.toBe("forged");
    expect(stamped?.metadata.hash).toBe(clean?.metadata.hash);
  });
});

describe("in-memory RowOps (point-in-time folding)", () => {
  test("upsert replace, upsert keep and update behave as in Postgres", () => {
    const t = emptyTables();
    applyRowOp(t, {
      kind: "upsert",
      table: "chat_users",
      conflict: ["id"],
      onConflict: "replace",
      row: { id: "u", v: 1 },
    });
    applyRowOp(t, {
      kind: "upsert",
      table: "chat_users",
      conflict: ["id"],
      onConflict: "keep",
      row: { id: "u", v: 2 },
    });
    expect(t.chat_users).toEqual([{ id: "u", v: 1 }]);
    applyRowOp(t, {
      kind: "upsert",
      table: "chat_users",
      conflict: ["id"],
      onConflict: "replace",
      row: { id: "u", v: 3 },
    });
    applyRowOp(t, {
      kind: "upsert",
      table: "chat_users",
      conflict: ["id"],
      onConflict: "keep",
      row: { id: "w", v: 9 },
    });
    applyRowOp(t, { kind: "update", table: "chat_users", where: { id: "w" }, set: { v: 10 } });
    expect(t.chat_users).toEqual([
      { id: "u", v: 3 },
      { id: "w", v: 10 },
    ]);
  });
});
