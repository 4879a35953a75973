import { randomUUID } from "node:crypto";
import { loadCheckpoint } from "../../src/db/checkpoints";
import { createKnex } from "../../src/db/database";
import { runAtomically } from "../../src/db/sqlScript";
import type { RecordedEvent } from "../../src/eventstore/eventStore";
import { applyEvents } from "../../src/projections/applyEvents";
import type { Database } from "../../src/service";
import { createTestDatabase, type TestDatabase } from "../support/testDatabase";
import { openQuietDatabase } from "../support/testService";
import { anEvent } from "./eventStoreContract";

let db: TestDatabase;
let database: Database;
beforeAll(async () => {
  db = await createTestDatabase();
  database = await openQuietDatabase(db.url);
});
afterAll(async () => {
  await database.close();
  await db.drop();
});

const userEvent = (owner: string) => ({
  type: "ChatUserRegistered" as const,
  data: {
    chat_user_id: owner,
    browser_uuid: randomUUID(),
    oss_user_id: null,
    email: null,
    is_anonymous: true,
    ip_address: "127.0.0.1",
    user_agent: null,
  },
  id: randomUUID(),
  metadata: anEvent(owner).metadata,
});

/** A user and sessions of theirs, each in its stream, appended one after another and read back in that order. */
async function appendChat(topics: readonly string[]): Promise<RecordedEvent[]> {
  const owner = randomUUID();
  const streams = [`chatUser-${owner}`];
  await database.store.append(streams[0] as string, [userEvent(owner)], "no_stream");
  for (const topic of topics) {
    const e = anEvent(owner, topic); // appended without the command's validation
    const stream = `chatSession-${(e.data as { session_id: string }).session_id}`;
    await database.store.append(stream, [e], "no_stream");
    streams.push(stream);
  }
  const events: RecordedEvent[] = [];
  for (const stream of streams) events.push(...(await database.store.readStream(stream)));
  return events;
}

const revisionsOf = async (events: readonly RecordedEvent[]) =>
  Object.fromEntries(
    (
      await database.knex
        .table("stream_revisions")
        .whereIn("stream_id", [...new Set(events.map((e) => e.streamId))])
        .select("stream_id", "revision")
    ).map((r) => [r.stream_id, r.revision]),
  );

describe("a projector batch's writes", () => {
  test("are atomic: a row the tables refuse leaves nothing of the attempt (revisions, rows, checkpoint), then only its event is parked", async () => {
    const events = await appendChat(["baik", "x".repeat(600), "baik juga"]);
    expect(events).toHaveLength(4);
    const bad = events[2] as RecordedEvent;
    const projector = `atomic-${randomUUID()}`;
    const checkpoint = (events.at(-1) as RecordedEvent).logPosition;

    // Had the failed first attempt committed anything (the claim of the revisions goes first), the fallback
    // would find the events applied and skip them: nothing parked, the session rows missing.
    const owner = ((events[0] as RecordedEvent).data as { chat_user_id: string }).chat_user_id;
    // The good events apply, the bad one alone is parked, and everything moves on together.
    expect(await applyEvents(database.knex, events, { schema: "public", projector, checkpoint })).toEqual({
      applied: 3,
      skipped: 0,
      deadLettered: 1,
    });
    expect(Object.values(await revisionsOf(events))).toEqual(["0", "0", "0", "0"]);
    expect(await loadCheckpoint(database.knex, projector)).toEqual(checkpoint);
    const parked = await database.knex.table("projection_dead_letters").where({ projector });
    expect(parked.map((p) => p.event_id)).toEqual([bad.id]);
    const topics = await database.knex.table("chat_sessions").where({ chat_user_id: owner }).select("topic");
    expect(topics.map((t) => t.topic).sort()).toEqual(["baik", "baik juga"]);
  });

  test("a batch overlapping one already applied skips what was applied and applies the rest", async () => {
    const owner = randomUUID();
    const stream = `chatUser-${owner}`;
    const user = userEvent(owner);
    await database.store.append(stream, [user], "no_stream");
    const changes = ["a@example.com", "b@example.com"].map((email) => ({
      type: "ChatUserLinkedToOssUser" as const,
      data: { chat_user_id: owner, oss_user_id: `oss-${owner}`, email },
      id: randomUUID(),
      metadata: anEvent(owner).metadata,
    }));
    await database.store.append(stream, changes, 0n);
    const [first, second, third] = await database.store.readStream(stream);
    const options = { schema: "public", projector: `overlap-${randomUUID()}` };
    expect(await applyEvents(database.knex, [first, second] as RecordedEvent[], options)).toEqual({
      applied: 2,
      skipped: 0,
      deadLettered: 0,
    });
    // Planned as if the stream stood before `second`: the claim finds it at `second`, so it is planned again.
    expect(await applyEvents(database.knex, [second, third] as RecordedEvent[], options)).toEqual({
      applied: 1,
      skipped: 1,
      deadLettered: 0,
    });
    expect(await revisionsOf([first as RecordedEvent])).toEqual({ [stream]: "2" });
    expect(await database.knex.table("chat_users").where({ id: owner }).first()).toMatchObject({
      email: "b@example.com",
    });
  });
});

describe("statements sent as one script", () => {
  const table = `script_values_${randomUUID().replaceAll("-", "")}`;
  beforeAll(async () => {
    await database.knex.raw(`CREATE TABLE ${table} (
      id int PRIMARY KEY, t text, j jsonb, a text[], n bigint, big numeric(40), ts timestamptz, b bytea,
      flag boolean, nothing text)`);
  });

  test("carry every kind of value as the driver's parameters would", async () => {
    const awkward = "it's a \\ back\\slash, a ? mark, $1 and $$ dollars, \"quotes\", 'ünïcödé' 🙂\nnew line";
    const row = {
      t: awkward,
      j: JSON.stringify({ s: awkward, list: [1, "two", null, { deep: "?" }], n: 12.5 }),
      a: ["plain", awkward, "", "NULL", "{braces}", "comma,separated"],
      n: "9223372036854775807",
      big: (2n ** 100n).toString(),
      ts: new Date("2024-02-29T23:59:59.123Z"),
      b: Buffer.from([0, 1, 2, 0x5c, 0x27, 0xff]),
      flag: false,
      nothing: null,
    };
    await database.knex.table(table).insert({ id: 1, ...row });
    await runAtomically(database.knex, (on) => [on.table(table).insert({ id: 2, ...row })]);
    const [byParameters, byScript] = await database.knex.table(table).orderBy("id").select();
    expect(byScript).toEqual({ ...byParameters, id: 2 });
    expect(byScript.t).toBe(awkward);
    expect(byScript.b).toEqual(row.b);
  });

  test("run all or none, and leave the connection usable", async () => {
    const single = createKnex(db.url, 1);
    try {
      await expect(
        runAtomically(single, (on) => [
          on.table(table).insert({ id: 10, t: "first" }),
          on.table(table).insert({ id: 11, t: "second" }),
          on.table(table).insert({ id: 10, t: "duplicate key" }),
        ]),
      ).rejects.toThrow(/duplicate key/);
      expect(await single.table(table).whereIn("id", [10, 11])).toEqual([]);
      // The same (only) connection is not left in a failed transaction.
      await runAtomically(single, (on) => [on.table(table).insert({ id: 12, t: "after" })]);
      expect(await single.table(table).where({ id: 12 }).first()).toMatchObject({ t: "after" });
    } finally {
      await single.destroy();
    }
  });
});
