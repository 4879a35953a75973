import { randomUUID } from "node:crypto";
import { verifyChains } from "../../src/audit/verifyChains";
import { ConcurrencyError, type NewEvent } from "../../src/eventstore/eventStore";
import type { Database } from "../../src/service";
import { createTestDatabase, type TestDatabase } from "../support/testDatabase";
import { openQuietDatabase } from "../support/testService";
import { anEvent } from "./eventStoreContract";

// Coalesced appends (src/eventstore/appendQueue.ts, append_batch of migration 018) through the layered store as
// the service builds it (sealing, chaining, the Postgres adapter with its append queue on): concurrent commands
// share one call and one transaction, each checked on its own.

let db: TestDatabase;
let database: Database;

beforeAll(async () => {
  db = await createTestDatabase();
  database = await openQuietDatabase(db.url);
});
afterAll(async () => {
  await database?.close();
  await db?.drop();
});

const contactSet = (subject: string, name: string, id: string): NewEvent => ({
  id,
  type: "ChatSessionContactSet",
  data: {
    session_id: randomUUID(),
    contact_id: randomUUID(),
    contact_name: name,
    contact_email: "siti@example.co.id",
    contact_phone: null,
    position: null,
    company_name: null,
  },
  metadata: {
    occurred_at: new Date().toISOString(),
    correlation_id: randomUUID(),
    causation_id: null,
    actor: { kind: "anonymous", id: randomUUID() },
    ip: "203.0.113.7",
    user_agent: "batch-test",
    owner_id: subject,
  },
});

type Outcome = "appended" | "refused";

test("200 concurrent commands, some conflicting on purpose: each success once in the log, each conflict retried or refused, chains verify", async () => {
  const store = database.store;
  const counters = Array.from({ length: 20 }, () => `batchCounter-${randomUUID()}`);
  const sharedSubject = randomUUID();
  const taken = anEvent(randomUUID());
  await database.sealedLog.append(`batchTaken-${randomUUID()}`, [taken], "no_stream");
  let conflicts = 0;

  interface Command {
    readonly n: number;
    readonly counter: string;
    readonly subject: string;
    readonly eventId: string;
    readonly ownStream: string;
    /** Decided on a revision that never holds: refused at its first conflict. */
    readonly stale: boolean;
    /** Reuses an event id already in the log: its call fails as a whole, and it alone is refused. */
    readonly duplicate: boolean;
  }
  const commands: Command[] = Array.from({ length: 200 }, (_, n) => ({
    n,
    counter: counters[n % counters.length] as string,
    // Half the commands are a new subject's first write: their data key travels with the append.
    subject: n % 2 === 0 ? randomUUID() : sharedSubject,
    eventId: n % 40 === 7 ? taken.id : randomUUID(),
    ownStream: `batchOwn-${randomUUID()}`,
    stale: n % 20 === 3,
    duplicate: n % 40 === 7,
  }));

  async function run(c: Command): Promise<Outcome> {
    for (let attempt = 1; attempt <= 60; attempt++) {
      const last = (await store.readStream(c.counter)).at(-1);
      const expected = c.stale ? 999n : last ? last.revision : "no_stream";
      try {
        await store.appendToStreams([
          { streamId: c.counter, events: [contactSet(c.subject, `Kontak ${c.n}`, c.eventId)], expected },
          { streamId: c.ownStream, events: [anEvent(c.subject)], expected: "no_stream" },
        ]);
        return "appended";
      } catch (err) {
        if (!(err instanceof ConcurrencyError)) {
          if (c.duplicate) return "refused";
          throw err;
        }
        conflicts++;
        if (c.stale) return "refused"; // decided again, it is refused (as a command whose rule no longer holds)
      }
    }
    return "refused";
  }

  const outcomes = await Promise.all(commands.map(run));
  const appended = commands.filter((_, i) => outcomes[i] === "appended");
  const refused = commands.filter((_, i) => outcomes[i] === "refused");
  expect(refused.map((c) => c.n).sort((a, b) => a - b)).toEqual(
    commands.filter((c) => c.stale || c.duplicate).map((c) => c.n),
  );
  expect(appended).toHaveLength(200 - 15);
  expect(conflicts).toBeGreaterThan(10); // ten commands per counter, all deciding at once

  const knex = database.knex;
  const ids = await knex.raw(
    `SELECT event_id::text AS id, count(*)::int AS n FROM events WHERE event_id = ANY(?::uuid[]) GROUP BY event_id`,
    [appended.map((c) => c.eventId)],
  );
  expect(ids.rows).toHaveLength(appended.length);
  expect(ids.rows.every((r: { n: number }) => r.n === 1)).toBe(true);
  // Nothing of a refused command: not its own stream, and its counter event only where it is another's.
  const own = await knex.raw("SELECT count(*)::int AS n FROM events WHERE stream_id = ANY(?)", [
    refused.map((c) => c.ownStream),
  ]);
  expect(own.rows[0].n).toBe(0);
  const counted = await knex.raw(
    "SELECT stream_id, array_agg(stream_revision ORDER BY stream_revision)::text AS revs, count(*)::int AS n FROM events WHERE stream_id = ANY(?) GROUP BY stream_id",
    [counters],
  );
  const perCounter = new Map<string, number>();
  for (const c of appended) perCounter.set(c.counter, (perCounter.get(c.counter) ?? 0) + 1);
  for (const row of counted.rows) expect(row.n).toBe(perCounter.get(row.stream_id));

  // Coalesced: commands shared transactions (one call, one commit for several of them).
  const txs = await knex.raw(
    "SELECT count(DISTINCT transaction_id)::int AS n FROM events WHERE stream_id = ANY(?)",
    [appended.map((c) => c.ownStream)],
  );
  expect(txs.rows[0].n).toBeLessThan(appended.length);

  // The keys carried by the appends were stored: every sealed field opens again.
  const reread = (await store.readStream(counters[0] as string)).map(
    (e) => (e.data as { contact_name: string }).contact_name,
  );
  expect(reread.every((name) => /^Kontak \d+$/.test(name))).toBe(true);
  const keyed = await knex.raw(
    "SELECT count(DISTINCT subject_id)::int AS n FROM pii_keys WHERE subject_id = ANY(?)",
    [appended.filter((c) => c.subject !== sharedSubject).map((c) => c.subject)],
  );
  expect(keyed.rows[0].n).toBe(appended.filter((c) => c.subject !== sharedSubject).length);

  const report = await verifyChains(database.sealedLog);
  expect(report).toMatchObject({ ok: true });
});
