import { randomUUID } from "node:crypto";
import { Client, Pool } from "pg";
import { migrationSource } from "../../migrations/index";
import { createKnex, migrateLatest } from "../../src/db/database";
import { createChainedStore } from "../../src/eventstore/chainedStore";
import { type EventLog, type EventStore, logStart } from "../../src/eventstore/eventStore";
import { createPostgresEventStore } from "../../src/eventstore/postgresEventStore";
import { waitFor } from "../support/readModel";
import { createTestDatabase, type TestDatabase } from "../support/testDatabase";
import { anEvent, eventStoreContract, readToEnd } from "./eventStoreContract";

async function openPostgresStore(): Promise<{ db: TestDatabase; store: EventStore }> {
  const db = await createTestDatabase();
  const knex = createKnex(db.url, 2);
  await migrateLatest(knex, migrationSource);
  await knex.destroy();
  const adapter = createPostgresEventStore({
    pool: new Pool({ connectionString: db.url, max: 20 }),
    connectionString: db.url,
    pollIntervalMs: 20,
  });
  return { db, store: createChainedStore(adapter, { newId: randomUUID }) };
}

describe("event store contract: Postgres adapter", () => {
  eventStoreContract(async () => {
    const { db, store } = await openPostgresStore();
    return {
      store,
      start: logStart,
      close: async () => {
        await store.close();
        await db.drop();
      },
    };
  });
});

describe("Postgres event store: an append to several streams under commits out of sequence", () => {
  let db: TestDatabase;
  let store: EventStore;
  beforeAll(async () => ({ db, store } = await openPostgresStore()));
  afterAll(async () => {
    await store.close();
    await db.drop();
  });

  test("its events take their positions first and commit last: no later append is read before it commits", async () => {
    const slow = new Client({ connectionString: db.url });
    await slow.connect();
    slow.on("error", () => undefined);
    const [x, y] = [anEvent(randomUUID()), anEvent(randomUUID())];
    await slow.query("BEGIN");
    const held = await slow.query(
      `SELECT * FROM append_to_streams($1::text[], $2::bigint[], $3::int[], $4::uuid[], $5::text[], $6::int[],
         $7::jsonb[], $8::jsonb[])`,
      [
        [`slow-a-${randomUUID()}`, `slow-b-${randomUUID()}`],
        [-1, -1],
        [1, 1],
        [x.id, y.id],
        [x.type, y.type],
        [2, 2],
        [JSON.stringify(x.data), JSON.stringify(y.data)],
        [JSON.stringify(x.metadata), JSON.stringify(y.metadata)],
      ],
    );
    const fast = await Promise.all(
      Array.from({ length: 3 }, () =>
        store.appendToStreams([
          { streamId: `fast-a-${randomUUID()}`, events: [anEvent(randomUUID())], expected: "no_stream" },
          { streamId: `fast-b-${randomUUID()}`, events: [anEvent(randomUUID())], expected: "no_stream" },
        ]),
      ),
    );
    const heldPositions = held.rows.map((r: { last_position: string }) => BigInt(r.last_position));
    expect(fast.flat().every((r) => heldPositions.every((p: bigint) => r.position > p))).toBe(true);
    expect(await readToEnd(store, logStart)).toHaveLength(0); // nothing read past the open transaction
    await slow.query("COMMIT");
    await slow.end();
    let after: Awaited<ReturnType<typeof readToEnd>> = [];
    await waitFor(async () => {
      after = await readToEnd(store, logStart);
      return after.length >= 8;
    });
    expect(after).toHaveLength(8);
    // The log is ordered by transaction: held back until it committed, it reads first, its streams in order.
    expect(after.slice(0, 2).map((e) => e.id)).toEqual([x.id, y.id]);
  });
});

describe("Postgres event store: global order under commits out of sequence", () => {
  let db: TestDatabase;
  let store: EventStore;
  beforeAll(async () => ({ db, store } = await openPostgresStore()));
  afterAll(async () => {
    await store.close();
    await db.drop();
  });

  test("an append that took its position first but commits last is still read, after the later ones", async () => {
    const slow = new Client({ connectionString: db.url });
    await slow.connect();
    const slowEvent = anEvent(randomUUID());
    slow.on("error", () => undefined);
    await slow.query("BEGIN");
    const slowAppend = await slow.query(
      "SELECT * FROM append_events($1, -1, $2::uuid[], $3::text[], $4::int[], $5::jsonb[], $6::jsonb[])",
      [
        `slow-${randomUUID()}`,
        [slowEvent.id],
        [slowEvent.type],
        [2],
        [JSON.stringify(slowEvent.data)],
        [JSON.stringify(slowEvent.metadata)],
      ],
    );
    // Later appends commit while the first is still open.
    const fast = await Promise.all(
      Array.from({ length: 5 }, () =>
        store.append(`fast-${randomUUID()}`, [anEvent(randomUUID())], "no_stream"),
      ),
    );
    const slowPosition = BigInt(slowAppend.rows[0].last_position);
    expect(fast.every((r) => r.position > slowPosition)).toBe(true); // it holds the lowest position

    // While the slow append is in flight, the reader must not pass it.
    const before = await readToEnd(store, logStart);
    expect(before.map((e) => e.id)).not.toContain(slowEvent.id);
    expect(before).toHaveLength(0);

    await slow.query("COMMIT");
    await slow.end();
    // Transactions of other databases on the same server (parallel test files) can hold the reader back a
    // moment: the events are delayed, never lost. Read until all six arrived.
    let after: Awaited<ReturnType<typeof readToEnd>> = [];
    await waitFor(async () => {
      after = await readToEnd(store, logStart);
      return after.length >= 6;
    });
    expect(after.map((e) => e.id)).toContain(slowEvent.id);
    expect(after).toHaveLength(6);
  });

  test("stored events cannot be changed or deleted", async () => {
    await store.append(`immutable-${randomUUID()}`, [anEvent(randomUUID())], "no_stream");
    const c = new Client({ connectionString: db.url });
    await c.connect();
    await expect(c.query("UPDATE events SET data = '{}'::jsonb")).rejects.toThrow(/immutable/);
    await expect(c.query("DELETE FROM events")).rejects.toThrow(/immutable/);
    await c.end();
  });
});

describe("Postgres event store: waking followers", () => {
  let db: TestDatabase;
  let store: EventStore;
  beforeAll(async () => ({ db, store } = await openPostgresStore()));
  afterAll(async () => {
    await store.close();
    await db.drop();
  });

  /** A follower that polls once a minute: only a wake-up can show it an append within the test's time. */
  function slowFollower(of: Pick<EventLog, "follow">) {
    const controller = new AbortController();
    const seen: string[] = [];
    const done = (async () => {
      for await (const batch of of.follow(logStart, { signal: controller.signal })) {
        for (const e of batch) seen.push(e.streamId);
      }
    })();
    return {
      seen,
      stop: async () => {
        controller.abort();
        await done;
      },
    };
  }

  const openSlow = () =>
    createPostgresEventStore({
      pool: new Pool({ connectionString: db.url, max: 2 }),
      connectionString: db.url,
      pollIntervalMs: 60_000,
    });

  test("an append wakes a follower of another store on the same database (another process) at once", async () => {
    const other = openSlow();
    const follower = slowFollower(other);
    try {
      await new Promise((r) => setTimeout(r, 300)); // the follower's first read is done: it now waits
      const stream = `woken-${randomUUID()}`;
      await store.append(stream, [anEvent(randomUUID())], "no_stream");
      await waitFor(async () => follower.seen.includes(stream), 5000);
    } finally {
      await follower.stop();
      await other.close();
    }
  });

  test("an append wakes the same store's follower, and many appends at once wake it without losing one", async () => {
    const own = openSlow();
    const follower = slowFollower(own);
    try {
      await new Promise((r) => setTimeout(r, 300));
      const streams = Array.from({ length: 40 }, () => `burst-${randomUUID()}`);
      await Promise.all(streams.map((s) => own.append(s, [anEvent(randomUUID())], "no_stream")));
      await waitFor(async () => streams.every((s) => follower.seen.includes(s)), 5000);
    } finally {
      await follower.stop();
      await own.close();
    }
  });
});
