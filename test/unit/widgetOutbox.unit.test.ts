import { createOutbox, type OutboxItem, type Posted } from "../../web/client/outbox";

// The widget's outbox: messages typed while the API cannot be reached wait, keep the client_message_id they got
// when typed, and go out one at a time in the order typed; refused ones are dropped and reported.

class Offline extends Error {}

function memory() {
  const m = new Map<string, string>();
  return {
    getItem: (k: string) => m.get(k) ?? null,
    setItem: (k: string, v: string) => void m.set(k, v),
    removeItem: (k: string) => void m.delete(k),
    raw: m,
  };
}

function setup(post: (item: OutboxItem) => Promise<Posted>, storage = memory()) {
  let n = 0;
  const sent: [string, number][] = [];
  const failed: string[] = [];
  const outbox = createOutbox({
    storage,
    key: "outbox",
    post,
    retryable: (err) => err instanceof Offline,
    onSent: (item, posted) => sent.push([item.body, posted.seq]),
    onFailed: (item) => failed.push(item.body),
    newId: () => `id-${++n}`,
    now: () => new Date("2026-01-01T00:00:00Z"),
    backoff: () => 60_000, // retries only when flushed again in these tests
  });
  return { outbox, sent, failed, storage };
}

describe("the outbox", () => {
  it("sends in the order typed, one at a time, each with the id it got when typed", async () => {
    const calls: string[] = [];
    let inFlight = 0;
    let seq = 0;
    const { outbox, sent } = setup(async (item) => {
      inFlight += 1;
      expect(inFlight).toBe(1);
      calls.push(`${item.client_message_id}:${item.body}`);
      await new Promise((r) => setTimeout(r, 5));
      inFlight -= 1;
      seq += 1;
      return { message_id: `m${seq}`, seq, created_at: "2026-01-01T00:00:01Z" };
    });
    outbox.add("s1", "satu");
    outbox.add("s1", "dua");
    outbox.add("s1", "tiga");
    await outbox.flush();
    expect(calls).toEqual(["id-1:satu", "id-2:dua", "id-3:tiga"]);
    expect(sent).toEqual([
      ["satu", 1],
      ["dua", 2],
      ["tiga", 3],
    ]);
    expect(outbox.items()).toEqual([]);
    outbox.stop();
  });

  it("keeps messages while offline and retries them later with the same client_message_id", async () => {
    let online = false;
    const ids: string[] = [];
    const { outbox, sent, storage } = setup(async (item) => {
      ids.push(item.client_message_id);
      if (!online) throw new Offline();
      return { message_id: `m-${item.client_message_id}`, seq: ids.length, created_at: "x" };
    });
    outbox.add("s1", "pertama");
    outbox.add("s1", "kedua");
    await outbox.flush();
    expect(outbox.items().map((i) => i.body)).toEqual(["pertama", "kedua"]);
    // Kept across a reload: a new outbox on the same storage finds them.
    expect(JSON.parse(storage.raw.get("outbox") as string)).toHaveLength(2);
    online = true;
    await outbox.flush();
    expect(sent.map(([body]) => body)).toEqual(["pertama", "kedua"]);
    // The first one was tried while offline and again once online: the same id both times (exactly once).
    expect(ids.filter((id) => id === "id-1").length).toBeGreaterThanOrEqual(2);
    expect(new Set(ids)).toEqual(new Set(["id-1", "id-2"]));
    expect(storage.raw.has("outbox")).toBe(false);
    outbox.stop();
  });

  it("drops a message the API refuses (a closed chat) and sends the next", async () => {
    const { outbox, sent, failed } = setup(async (item) => {
      if (item.body === "ditolak") throw new Error("409");
      return { message_id: "m", seq: 1, created_at: "x" };
    });
    outbox.add("s1", "ditolak");
    outbox.add("s1", "diterima");
    await outbox.flush();
    expect(failed).toEqual(["ditolak"]);
    expect(sent).toEqual([["diterima", 1]]);
    outbox.stop();
  });

  it("picks up what a previous page left in storage", async () => {
    const storage = memory();
    const left: OutboxItem = { session_id: "s1", client_message_id: "old-1", body: "sisa", created_at: "x" };
    storage.setItem("outbox", JSON.stringify([left]));
    const posted: string[] = [];
    const { outbox } = setup(async (item) => {
      posted.push(item.client_message_id);
      return { message_id: "m", seq: 1, created_at: "x" };
    }, storage);
    expect(outbox.items()).toEqual([left]);
    await outbox.flush();
    expect(posted).toEqual(["old-1"]);
    outbox.stop();
  });
});
