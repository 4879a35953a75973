import { randomUUID } from "node:crypto";
import { applyEvents } from "../../src/projections/applyEvents";
import type { Database } from "../../src/service";
import { createTestDatabase, type TestDatabase } from "../support/testDatabase";
import { openQuietDatabase } from "../support/testService";
import { anEvent } from "./eventStoreContract";

describe("dead letters", () => {
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

  test("an event that cannot be applied is parked with its error and position; the rest of the batch applies", async () => {
    const owner = randomUUID();
    // A user for the sessions to reference, then a good session, one whose topic the table cannot hold, another good one.
    const user = {
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
    };
    await database.store.append(`chatUser-${owner}`, [user], "no_stream");
    const good1 = anEvent(owner, "baik");
    const bad = anEvent(owner, "x".repeat(600)); // appended without the command's validation
    const good2 = anEvent(owner, "baik juga");
    const results = [];
    for (const e of [good1, bad, good2]) {
      const stream = `chatSession-${(e.data as { session_id: string }).session_id}`;
      results.push(await database.store.append(stream, [e], "no_stream"));
    }
    const events = [];
    for (const e of [user, good1, bad, good2]) {
      const stream =
        e.type === "ChatUserRegistered"
          ? `chatUser-${owner}`
          : `chatSession-${(e.data as { session_id: string }).session_id}`;
      events.push(...(await database.store.readStream(stream)));
    }

    const result = await applyEvents(database.knex, events, { schema: "public", projector: "read_model" });
    expect(result).toEqual({ applied: 3, skipped: 0, deadLettered: 1 });

    const topics = (
      await database.knex.table("chat_sessions").where({ chat_user_id: owner }).select("topic")
    ).map((r) => r.topic);
    expect(topics.sort()).toEqual(["baik", "baik juga"]);
    const parked = await database.knex.table("projection_dead_letters").where({ event_id: bad.id }).first();
    expect(parked).toMatchObject({
      projector: "read_model",
      event_type: "ChatSessionStarted",
      global_position: String(results[1]?.position),
      stream_revision: "0",
    });
    expect(parked.error).toMatch(/too long/);

    // Applying the batch again changes nothing and parks nothing twice.
    const again = await applyEvents(database.knex, events, { schema: "public", projector: "read_model" });
    expect(again).toEqual({ applied: 0, skipped: 4, deadLettered: 0 });
    expect(await database.knex.table("projection_dead_letters").count({ n: "*" }).first()).toEqual({
      n: "1",
    });
  });
});
