import { randomUUID } from "node:crypto";
import type { Database } from "../../src/service";
import { createTestDatabase, type TestDatabase } from "../support/testDatabase";
import { openQuietDatabase } from "../support/testService";

// The layered store on Postgres: a new subject's data key is made in the process and stored by the append
// itself (append_to_streams_with_keys), under the erasure lock, in the append's transaction.
let db: TestDatabase;
const opened: Database[] = [];
const open = async () => {
  const database = await openQuietDatabase(db.url);
  opened.push(database);
  return database;
};

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  for (const d of opened) await d.close();
  await db.drop();
});

const contactSet = (subject: string, name: string) => ({
  type: "ChatSessionContactSet" as const,
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
    actor: { kind: "anonymous" as const, id: randomUUID() },
    ip: "203.0.113.7",
    user_agent: "widget/1.0",
    owner_id: subject,
  },
});

const append = (d: Database, subject: string, name: string) =>
  d.store.appendToStreams([
    { streamId: `contract-${randomUUID()}`, events: [contactSet(subject, name)], expected: "no_stream" },
  ]);

describe("an append that carries its new data keys", () => {
  test("stores the key with the events: both or neither, and any process opens them", async () => {
    const writer = await open();
    const subject = randomUUID();
    const [result] = await append(writer, subject, "Siti Rahma");
    const keys = await writer.knex.table("pii_keys").where("subject_id", subject);
    expect(keys).toHaveLength(1);
    const stored = await writer.knex
      .table("events")
      .where("global_position", String(result?.position))
      .first();
    expect(JSON.stringify(stored.data)).not.toContain("Siti Rahma");
    const reader = await open(); // another process: it knows no key
    const [event] = await reader.store.readStream(stored.stream_id);
    expect((event?.data as { contact_name?: string } | undefined)?.contact_name).toBe("Siti Rahma");
  });

  test("an erased subject is refused and nothing is written, neither key nor event", async () => {
    const writer = await open();
    const subject = randomUUID();
    await writer.keys.eraseSubjects([subject]);
    const before = await writer.knex.table("events").count<{ count: string }[]>({ count: "*" });
    await expect(append(writer, subject, "Sesudah Hapus")).rejects.toMatchObject({
      name: "SubjectErasedError",
      subjectId: subject,
    });
    const after = await writer.knex.table("events").count<{ count: string }[]>({ count: "*" });
    expect(after[0]?.count).toBe(before[0]?.count);
    expect(await writer.knex.table("pii_keys").where("subject_id", subject)).toEqual([]);
  });

  test("a key another process stored first wins: the events are sealed again with it", async () => {
    const first = await open();
    const second = await open();
    const subject = randomUUID();
    // The first process makes the subject's key; the second has never seen it and makes one of its own.
    const [made] = [...(await first.keys.keysForSealing([{ keyId: `u.${subject}`, subjectId: subject }]))];
    const [result] = await append(second, subject, "Budi Santoso");
    expect(await second.knex.table("pii_keys").where("subject_id", subject)).toHaveLength(1);
    const stored = await second.knex
      .table("events")
      .where("global_position", String(result?.position))
      .first();
    expect(JSON.stringify(stored.data)).toContain(`pii:v2:u.${subject}:`);
    const [event] = await (await open()).store.readStream(stored.stream_id);
    expect((event?.data as { contact_name?: string } | undefined)?.contact_name).toBe("Budi Santoso");
    expect((await second.keys.keysForOpening([`u.${subject}`])).get(`u.${subject}`)).toEqual(made?.[1]);
  });
});
