import { randomUUID } from "node:crypto";
import { ANY, NO_STREAM, type ResolvedEvent } from "@eventstore/db-client";
import type { EventToAppend } from "../../src/eventstore/eventStore";
import { fromEsdb, toEsdbExpected, toEsdbMetadata } from "../../src/eventstore/eventStoreDbEventStore";

const metadata = {
  occurred_at: "2026-11-24T05:00:00.000Z",
  correlation_id: "c1",
  causation_id: null,
  actor: { kind: "anonymous" as const, id: "b1" },
  ip: "127.0.0.1",
  user_agent: "ua",
  owner_id: "u1",
};

function resolved(over: Record<string, unknown>): ResolvedEvent {
  return {
    event: {
      id: randomUUID(),
      streamId: "chatSession-1",
      revision: 3n,
      type: "ChatSessionStarted",
      isJson: true,
      created: new Date(),
      data: {
        session_id: randomUUID(),
        chat_user_id: randomUUID(),
        topic: "t",
        priority: "normal",
        channel: "mobile",
      },
      metadata: { ...metadata, schema_version: 2 },
      position: { commit: 1200n, prepare: 1100n },
      ...over,
    },
  } as unknown as ResolvedEvent;
}

describe("EventStoreDB adapter mapping", () => {
  test("expected revisions map to the client's constants", () => {
    expect(toEsdbExpected("no_stream")).toBe(NO_STREAM);
    expect(toEsdbExpected("any")).toBe(ANY);
    expect(toEsdbExpected(7n)).toBe(7n);
  });

  test("the schema version travels in the metadata", () => {
    const event = { type: "ChatSessionStarted", data: {}, id: "x", metadata } as unknown as EventToAppend;
    expect(toEsdbMetadata(event)).toEqual({ ...metadata, schema_version: 2 });
  });

  test("a resolved event maps to a recorded one, with both parts of its position", () => {
    const r = resolved({});
    const e = fromEsdb(r);
    expect(e).toMatchObject({
      type: "ChatSessionStarted",
      streamId: "chatSession-1",
      revision: 3n,
      position: 1200n,
      logPosition: { commit: 1200n, prepare: 1100n },
      storedVersion: 2,
      metadata,
    });
    expect(e?.data).toMatchObject({ channel: "mobile" });
    expect(e?.metadata).not.toHaveProperty("schema_version");
  });

  test("a version-1 event is upcast where it is read", () => {
    const data = { session_id: randomUUID(), chat_user_id: randomUUID(), topic: "t", priority: "high" };
    const e = fromEsdb(resolved({ data, metadata: { ...metadata, schema_version: 1 } }));
    expect(e?.data).toEqual({ ...data, channel: "web" });
    expect(e?.storedVersion).toBe(1);
  });

  test("system events, non-JSON events and events without a position are left out", () => {
    expect(fromEsdb(resolved({ type: "$metadata" }))).toBeNull();
    expect(fromEsdb(resolved({ isJson: false }))).toBeNull();
    expect(fromEsdb(resolved({ position: undefined }))).toBeNull();
    expect(fromEsdb({} as ResolvedEvent)).toBeNull();
  });
});
