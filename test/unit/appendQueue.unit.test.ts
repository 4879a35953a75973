import { createAppendQueue, type Outcome } from "../../src/eventstore/appendQueue";
import { ConcurrencyError } from "../../src/eventstore/eventStore";
import {
  type BatchRow,
  decodeBatch,
  encodeBatch,
  type QueuedAppend,
} from "../../src/eventstore/postgresAppend";

describe("append queue", () => {
  test("appends that arrive together go out as one call, each answered on its own", async () => {
    const calls: number[][] = [];
    const queue = createAppendQueue<number, string>(
      async (items) => {
        calls.push([...items]);
        return items.map(
          (i): Outcome<string> =>
            i % 3 === 0 ? { ok: false, error: new Error(`no ${i}`) } : { ok: true, value: `ok ${i}` },
        );
      },
      { windowUs: 0 },
    );
    const results = await Promise.allSettled([1, 2, 3, 4, 5].map((i) => queue.add(i)));
    expect(calls).toEqual([[1, 2, 3, 4, 5]]);
    expect(results.map((r) => (r.status === "fulfilled" ? r.value : (r.reason as Error).message))).toEqual([
      "ok 1",
      "ok 2",
      "no 3",
      "ok 4",
      "ok 5",
    ]);
  });

  test("no call carries more than maxAppends, and no more than maxInFlight calls are out at once", async () => {
    let out = 0;
    let most = 0;
    const sizes: number[] = [];
    const queue = createAppendQueue<number, number>(
      async (items) => {
        out++;
        most = Math.max(most, out);
        sizes.push(items.length);
        await new Promise((r) => setTimeout(r, 5));
        out--;
        return items.map((value) => ({ ok: true, value }));
      },
      { maxAppends: 4, maxInFlight: 2, windowUs: 0 },
    );
    const values = Array.from({ length: 30 }, (_, i) => i);
    expect(await Promise.all(values.map((i) => queue.add(i)))).toEqual(values);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(4);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(30);
    expect(most).toBeLessThanOrEqual(2);
  });

  test("a call that fails as a whole fails each of its appends", async () => {
    const queue = createAppendQueue<number, number>(async () => {
      throw new Error("connection lost");
    });
    await expect(Promise.all([queue.add(1), queue.add(2)])).rejects.toThrow("connection lost");
  });
});

describe("append_batch rows", () => {
  const item = (streams: string[], writes = streams.length): QueuedAppend => ({
    entries: streams.map((streamId) => ({ streamId, expected: "no_stream" })),
    counts: streams.map((_, i) => (i < writes ? 1 : 0)),
    events: [],
    keys: [],
    writes,
  });

  test("each command's streams and counts are sent in order, with its keys or none", () => {
    const [commands, keys, streams, expected, counts] = encodeBatch([item(["a", "b"]), item(["c", "d"], 1)]);
    expect(commands).toEqual([2, 2]);
    expect(keys).toEqual([null, null]);
    expect(streams).toEqual(["a", "b", "c", "d"]);
    expect(expected).toEqual(["-1", "-1", "-1", "-1"]);
    expect(counts).toEqual([1, 1, 1, 0]);
  });

  test("a conflict row fails only its command, naming its stream and revision", () => {
    const rows: BatchRow[] = [
      { command_index: 0, stream_index: 0, next_revision: "0", last_position: "11", actual: null },
      { command_index: 0, stream_index: 1, next_revision: "0", last_position: "12", actual: null },
      { command_index: 1, stream_index: 1, next_revision: null, last_position: null, actual: "4" },
    ];
    const [first, second] = decodeBatch([item(["a", "b"]), item(["c", "d"])], rows);
    expect(first).toEqual({
      ok: true,
      value: [
        { nextRevision: 0n, position: 11n },
        { nextRevision: 0n, position: 12n },
      ],
    });
    expect(second?.ok).toBe(false);
    const error = (second as { error: ConcurrencyError }).error;
    expect(error).toBeInstanceOf(ConcurrencyError);
    expect([error.streamId, error.actual]).toEqual(["d", 4n]);
  });
});
