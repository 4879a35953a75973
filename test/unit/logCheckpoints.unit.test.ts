import { createHash } from "node:crypto";
import { type CheckpointToVerify, headsHash, type StreamHead } from "../../src/audit/logCheckpoints";
import { checkpointBreaks } from "../../src/audit/verifyChains";

const h = (revision: bigint, hash: string | null): StreamHead => ({ revision, hash });
const A = "a".repeat(64);
const B = "b".repeat(64);

describe("the hash over stream heads", () => {
  test("is SHA-256 over one JSON line per stream, sorted by stream id, whatever the input order", () => {
    const heads: [string, StreamHead][] = [
      ["chatUser-2", h(0n, B)],
      ["chatSession-1", h(3n, A)],
    ];
    const expected = createHash("sha256")
      .update(`["chatSession-1","3","${A}"]\n["chatUser-2","0","${B}"]\n`)
      .digest("hex");
    expect(headsHash(heads)).toBe(expected);
    expect(headsHash([...heads].reverse())).toBe(expected);
  });

  test("changes with any stream's revision or hash, and with a stream more or less", () => {
    const base = headsHash([["s", h(1n, A)]]);
    expect(headsHash([["s", h(0n, A)]])).not.toBe(base);
    expect(headsHash([["s", h(1n, B)]])).not.toBe(base);
    expect(headsHash([["s", h(1n, null)]])).not.toBe(base);
    expect(
      headsHash([
        ["s", h(1n, A)],
        ["t", h(0n, B)],
      ]),
    ).not.toBe(base);
  });
});

describe("the log checked against a checkpoint's heads", () => {
  const recorded = new Map<string, StreamHead>([
    ["chatSession-1", h(2n, A)],
    ["chatUser-1", h(0n, B)],
  ]);
  const cp: CheckpointToVerify = {
    checkpoint: {
      id: 7,
      taken_at: "2026-01-01T00:00:00.000Z",
      log_position: "10.20",
      global_position: 20,
      streams: 2,
      events: 4,
      heads_hash: headsHash(recorded),
    },
    position: { commit: 10n, prepare: 20n },
    heads: recorded,
  };

  test("a log that still ends where the checkpoint says passes", () => {
    expect(checkpointBreaks(cp, new Map(recorded))).toEqual([]);
  });

  test("a stream whose newest event is gone is named, with the revision the checkpoint recorded", () => {
    const log = new Map(recorded).set("chatSession-1", h(1n, "c".repeat(64)));
    expect(checkpointBreaks(cp, log)).toEqual([
      expect.objectContaining({
        stream_id: "chatSession-1",
        stream_revision: 2,
        reason: expect.stringMatching(
          /newest events missing: checkpoint 7 recorded revision 2 .* ends at revision 1/,
        ),
      }),
    ]);
  });

  test("a stream deleted whole, a head altered, a stream added below the position: each named", () => {
    const log = new Map<string, StreamHead>([
      ["chatSession-1", h(2n, B)],
      ["chatSession-9", h(0n, A)],
    ]);
    expect(checkpointBreaks(cp, log).map((b) => [b.stream_id, b.reason])).toEqual([
      ["chatSession-1", expect.stringContaining("head event differs")],
      ["chatUser-1", expect.stringContaining("the log has no such stream")],
      ["chatSession-9", expect.stringContaining("was not in it")],
    ]);
  });

  test("recorded heads that do not match the checkpoint's hash are a break", () => {
    const tampered = { ...cp, heads: new Map(recorded).set("chatUser-1", h(0n, A)) };
    const log = new Map(tampered.heads);
    expect(checkpointBreaks(tampered, log)).toEqual([
      expect.objectContaining({ stream_id: "(checkpoint)", reason: expect.stringContaining("heads_hash") }),
    ]);
  });
});
