import { readFileSync } from "node:fs";
import path from "node:path";
import { verifyChains } from "../../src/audit/verifyChains";
import { toFact } from "../../src/events/facts";
import { logStart } from "../../src/eventstore/eventStore";
import { createLogger } from "../../src/logger";
import { startLogProjector } from "../../src/projections/logProjector";
import { foldFacts } from "../../src/projections/memoryTables";
import type { Database } from "../../src/service";
import { snapshotTables, waitFor } from "../support/readModel";
import { createTestDatabase, type TestDatabase } from "../support/testDatabase";
import { openQuietDatabase } from "../support/testService";
import { readToEnd } from "./eventStoreContract";

interface StoredEvent {
  event_id: string;
  stream_id: string;
  stream_revision: number;
  event_type: string;
  schema_version: number;
  data: unknown;
  metadata: unknown;
}

const fixtures = path.resolve(__dirname, "../fixtures");
const log: StoredEvent[] = JSON.parse(readFileSync(path.join(fixtures, "v1EventLog.json"), "utf8"));
const expected = JSON.parse(readFileSync(path.join(fixtures, "v1ExpectedTables.json"), "utf8"));
/** Rows as JSON would carry them: timestamps as ISO strings. */
const plain = (value: unknown) => JSON.parse(JSON.stringify(value));

describe("a log of version-1 events (test/fixtures/v1EventLog.json)", () => {
  let db: TestDatabase;
  let database: Database;
  beforeAll(async () => {
    db = await createTestDatabase();
    database = await openQuietDatabase(db.url);
    // Stored exactly as an older release wrote them: version 1, without ChatSessionStarted's channel.
    for (const e of log) {
      await database.knex.raw(
        "SELECT * FROM append_events(?, ?, ARRAY[?]::uuid[], ARRAY[?], ARRAY[?]::int[], ARRAY[?::jsonb], ARRAY[?::jsonb])",
        [
          e.stream_id,
          e.stream_revision - 1,
          e.event_id,
          e.event_type,
          e.schema_version,
          JSON.stringify(e.data),
          JSON.stringify(e.metadata),
        ],
      );
    }
  });
  afterAll(async () => {
    await database.close();
    await db.drop();
  });

  test('reads upcast: ChatSessionStarted v1 gains channel "web"', async () => {
    // The log is readable below the cluster's oldest open transaction; another client's may hold it back a while.
    let events = await readToEnd(database.store, logStart);
    for (let waited = 0; events.length < log.length && waited < 30_000; waited += 100) {
      await new Promise((r) => setTimeout(r, 100));
      events = await readToEnd(database.store, logStart);
    }
    expect(events).toHaveLength(log.length);
    const started = events.filter((e) => e.type === "ChatSessionStarted");
    expect(started.map((e) => e.storedVersion)).toEqual([1, 1]);
    expect(started.map((e) => (e.data as { channel: string }).channel)).toEqual(["web", "web"]);
  });

  test("the projector replays it to the expected tables", async () => {
    const projector = startLogProjector({
      knex: database.knex,
      store: database.store,
      logger: createLogger("silent"),
    });
    try {
      await waitFor(async () => {
        const n = await database.knex.table("stream_revisions").count({ n: "*" }).first();
        return Number(n?.n) === new Set(log.map((e) => e.stream_id)).size;
      });
    } finally {
      await projector.stop();
    }
    expect(plain(await snapshotTables(database.knex))).toEqual(expected);
    const dead = await database.knex.table("projection_dead_letters").count({ n: "*" }).first();
    expect(Number(dead?.n)).toBe(0);
  });

  test("the in-memory fold used for point-in-time state gives the same rows", async () => {
    const events = await readToEnd(database.store, logStart);
    const tables = foldFacts(events.map(toFact));
    const byId = (rows: Record<string, unknown>[]) =>
      [...rows].sort((a, b) => String(a.id).localeCompare(String(b.id)));
    expect({
      chat_users: byId(tables.chat_users),
      chat_sessions: byId(tables.chat_sessions),
      chat_session_contacts: byId(tables.chat_session_contacts),
      chat_messages: byId(tables.chat_messages),
      chat_agents: byId(tables.chat_agents),
    }).toEqual(expected);
  });

  test("verify counts events from before hash chaining as unchained, not broken", async () => {
    expect(await verifyChains(database.sealedLog)).toMatchObject({
      ok: true,
      events: log.length,
      unchained: log.length,
    });
  });
});
