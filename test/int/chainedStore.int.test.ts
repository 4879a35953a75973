import { randomUUID } from "node:crypto";
import type { Knex } from "knex";
import { Pool } from "pg";
import { migrationSource } from "../../migrations/index";
import { verifyChains } from "../../src/audit/verifyChains";
import { createKnex, migrateLatest } from "../../src/db/database";
import { createChainedStore } from "../../src/eventstore/chainedStore";
import type { EventStore } from "../../src/eventstore/eventStore";
import { createPostgresEventStore } from "../../src/eventstore/postgresEventStore";
import { createTestDatabase, type TestDatabase } from "../support/testDatabase";
import { anEvent } from "./eventStoreContract";

let db: TestDatabase;
let knex: Knex;
const opened: EventStore[] = [];

/** A chained store of its own, as another API process would have (its own memory of stream heads). */
function openStore(newId: () => string = randomUUID): EventStore {
  const adapter = createPostgresEventStore({
    pool: new Pool({ connectionString: db.url, max: 4 }),
    connectionString: db.url,
  });
  const store = createChainedStore(adapter, { newId });
  opened.push(store);
  return store;
}

beforeAll(async () => {
  db = await createTestDatabase();
  knex = createKnex(db.url, 2);
  await migrateLatest(knex, migrationSource);
});
afterAll(async () => {
  for (const store of opened) await store.close();
  await knex.destroy();
  await db.drop();
});

async function tamper(eventId: string) {
  await knex.raw("ALTER TABLE events DISABLE TRIGGER events_immutable");
  await knex
    .table("events")
    .where({ event_id: eventId })
    .update({ data: knex.raw(`jsonb_set(data, '{topic}', '"altered"')`) });
  await knex.raw("ALTER TABLE events ENABLE TRIGGER events_immutable");
}

describe("hash chain of appends of several events (Postgres)", () => {
  test("verifies, takes ids from the injected newId, and names the one event of a batch that was altered", async () => {
    const ids: string[] = [];
    const store = openStore(() => {
      const id = randomUUID();
      ids.push(id);
      return id;
    });
    const stream = `chatSession-${randomUUID()}`;
    const owner = randomUUID();
    const withoutId = () => {
      const { id: _id, ...event } = anEvent(owner);
      return event;
    };
    await store.append(stream, [withoutId(), withoutId()], "no_stream");
    await store.append(stream, [withoutId(), withoutId(), withoutId()], 1n);
    const read = await store.readStream(stream);
    expect(read.map((e) => e.id)).toEqual(ids);
    expect(ids).toHaveLength(5);
    expect(await verifyChains(openStore(), { streamId: stream })).toMatchObject({
      ok: true,
      events: 5,
      unchained: 0,
    });

    const target = read[3];
    if (!target) throw new Error("the stream has five events");
    await tamper(target.id);
    const report = await verifyChains(openStore(), { streamId: stream });
    expect(report.ok).toBe(false);
    expect(report.broken).toEqual([
      {
        stream_id: stream,
        stream_revision: 3,
        event_id: target.id,
        global_position: Number(target.position),
        reason: "stored event does not match its hash (altered)",
      },
    ]);
  });

  test("two processes appending in turn to one stream keep one chain (a stale memory reads the stream's end)", async () => {
    const a = openStore();
    const b = openStore();
    const stream = `chatUser-${randomUUID()}`;
    const owner = randomUUID();
    await a.append(stream, [anEvent(owner), anEvent(owner)], "no_stream");
    await b.append(stream, [anEvent(owner)], 1n); // b has never seen the stream
    await a.append(stream, [anEvent(owner), anEvent(owner)], 2n); // a remembers revision 1 only
    await b.append(stream, [anEvent(owner)], "any");
    // A stale expected revision is refused before anything is written.
    await expect(a.append(stream, [anEvent(owner)], 2n)).rejects.toMatchObject({
      name: "ConcurrencyError",
      actual: 5n,
    });
    expect(await verifyChains(openStore(), { streamId: stream })).toMatchObject({ ok: true, events: 6 });
  });
});
