import { createChainChecker } from "../../src/audit/verifyChains";
import type { NewEvent, RecordedEvent } from "../../src/eventstore/eventStore";
import { chainEvents, eventHash } from "../../src/eventstore/hashChain";

const metadata = {
  occurred_at: "2024-01-01T00:00:00.000Z",
  correlation_id: "c",
  causation_id: null,
  actor: { kind: "anonymous" as const, id: "x" },
  ip: "127.0.0.1",
  user_agent: null,
  owner_id: "u",
};
const message = (seq: number, body: string): NewEvent => ({
  type: "ChatMessagePosted",
  data: {
    session_id: "s",
    message_id: `m${seq}`,
    seq,
    client_message_id: null,
    author_kind: "visitor",
    author_id: "x",
    author_name: null,
    body,
  },
  metadata,
});

let position = 0n;
/** A stream as the store hands it to verify: chained at append, read back with its stored form. */
function storedStream(streamId: string, bodies: string[]): RecordedEvent[] {
  let n = 0;
  const chained = chainEvents(
    streamId,
    { revision: 0n, previousHash: null },
    bodies.map((b, i) => message(i + 1, b)),
    () => `${streamId}-e${n++}`,
  );
  return chained.map((e, i) => {
    position++;
    return {
      ...e,
      streamId,
      revision: BigInt(i),
      position,
      logPosition: { commit: position, prepare: position },
      storedVersion: 1,
      stored: { data: e.data, recordedAt: new Date(0) },
    } as RecordedEvent;
  });
}

/** Rewrites an event's data as someone with write access to the table would, keeping its stored links. */
function rewrite(e: RecordedEvent, body: string, rehash: boolean): RecordedEvent {
  const data = { ...(e.data as Record<string, unknown>), body };
  const previous = (e.metadata.previous_hash as string | null | undefined) ?? null;
  const hash = rehash
    ? eventHash(
        {
          streamId: e.streamId,
          revision: e.revision,
          eventId: e.id,
          type: e.type,
          schemaVersion: e.storedVersion,
          data,
          metadata: e.metadata as unknown as Record<string, unknown>,
        },
        previous,
      )
    : e.metadata.hash;
  return {
    ...e,
    data,
    stored: { data, recordedAt: new Date(0) },
    metadata: { ...e.metadata, hash },
  } as unknown as RecordedEvent;
}

function verify(events: readonly RecordedEvent[]) {
  const checker = createChainChecker();
  for (const e of events) checker.check(e);
  return checker.report();
}

describe("the chain checker", () => {
  test("an untouched log verifies, and reports what it counted", () => {
    const report = verify([...storedStream("a", ["1", "2", "3"]), ...storedStream("b", ["x"])]);
    expect(report).toEqual({ ok: true, streams: 2, events: 4, unchained: 0, broken: [], checkpoint: null });
  });

  test("an event whose data was changed no longer matches its hash", () => {
    const [first, second, third] = storedStream("a", ["1", "2", "3"]) as [
      RecordedEvent,
      RecordedEvent,
      RecordedEvent,
    ];
    const report = verify([first, rewrite(second, "changed", false), third]);
    expect(report.ok).toBe(false);
    expect(report.broken).toEqual([
      expect.objectContaining({
        stream_id: "a",
        stream_revision: 1,
        reason: "stored event does not match its hash (altered)",
      }),
    ]);
  });

  test("an event rewritten and re-hashed breaks the link of the event after it", () => {
    const [first, second, third] = storedStream("a", ["1", "2", "3"]) as [
      RecordedEvent,
      RecordedEvent,
      RecordedEvent,
    ];
    const forged = rewrite(second, "changed", true);
    // The forgery is consistent on its own: only the next event's previous_hash gives it away.
    expect(verify([first, forged]).ok).toBe(true);
    const report = verify([first, forged, third]);
    expect(report.ok).toBe(false);
    expect(report.broken).toEqual([
      expect.objectContaining({
        stream_id: "a",
        stream_revision: 2,
        event_id: third.id,
        reason: "previous_hash does not match the previous event's hash",
      }),
    ]);
  });

  test("a stream whose first event was rewritten and re-hashed is caught at its second", () => {
    const [first, second] = storedStream("a", ["1", "2"]) as [RecordedEvent, RecordedEvent];
    const report = verify([rewrite(first, "changed", true), second]);
    expect(report.broken.map((b) => [b.stream_revision, b.reason])).toEqual([
      [1, "previous_hash does not match the previous event's hash"],
    ]);
  });

  test("a deleted event is a gap in the revisions; an unhashed event after chained ones is a break", () => {
    const [first, , third] = storedStream("a", ["1", "2", "3"]) as [
      RecordedEvent,
      RecordedEvent,
      RecordedEvent,
    ];
    expect(verify([first, third]).broken.map((b) => b.reason)).toEqual(["revision 2 follows 0"]);
    const [one, two] = storedStream("b", ["1", "2"]) as [RecordedEvent, RecordedEvent];
    const { hash: _h, previous_hash: _p, ...bare } = two.metadata;
    expect(verify([one, { ...two, metadata: bare } as RecordedEvent]).broken.map((b) => b.reason)).toEqual([
      "hash missing after chained events",
    ]);
  });

  test("events from before chaining count as unchained at the start of a stream", () => {
    const [one, two] = storedStream("a", ["1", "2"]) as [RecordedEvent, RecordedEvent];
    const unhashed = (e: RecordedEvent) => {
      const { hash: _h, previous_hash: _p, ...bare } = e.metadata;
      return { ...e, metadata: bare } as RecordedEvent;
    };
    expect(verify([unhashed(one), unhashed(two)])).toMatchObject({ ok: true, unchained: 2 });
  });

  test("only a stream's first break is reported, each broken stream once, at most maxBroken", () => {
    const streams = ["a", "b", "c"].map((id) => storedStream(id, ["1", "2", "3"]));
    const checker = createChainChecker(2);
    for (const events of streams) {
      const [first, second, third] = events as [RecordedEvent, RecordedEvent, RecordedEvent];
      for (const e of [first, rewrite(second, "x", false), rewrite(third, "y", false)]) checker.check(e);
    }
    const report = checker.report();
    expect(report.broken.map((b) => [b.stream_id, b.stream_revision])).toEqual([
      ["a", 1],
      ["b", 1],
    ]);
    expect(report.ok).toBe(false);
    expect([...checker.heads().keys()]).toEqual(["a", "b", "c"]);
  });
});
