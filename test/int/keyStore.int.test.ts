import { randomBytes, randomUUID } from "node:crypto";
import type { Knex } from "knex";
import { migrationSource } from "../../migrations/index";
import { createKnex, migrateLatest } from "../../src/db/database";
import { SubjectErasedError } from "../../src/privacy/keyStore";
import { createPostgresKeyStore } from "../../src/privacy/postgresKeyStore";
import { createTestDatabase, type TestDatabase } from "../support/testDatabase";

let db: TestDatabase;
let knex: Knex;
const kek = randomBytes(32);

beforeAll(async () => {
  db = await createTestDatabase();
  knex = createKnex(db.url, 30);
  await migrateLatest(knex, migrationSource);
});

afterAll(async () => {
  await knex.destroy();
  await db.drop();
});

describe("data keys for sealing, in one call", () => {
  test("makes the missing keys, keeps the existing ones, and opens what it sealed", async () => {
    const keys = createPostgresKeyStore(knex, kek);
    const subject = randomUUID();
    const first = await keys.keysForSealing([{ keyId: `u.${subject}`, subjectId: subject }]);
    const both = await keys.keysForSealing([
      { keyId: `u.${subject}`, subjectId: subject },
      { keyId: `m.${subject}`, subjectId: subject },
    ]);
    expect(both.get(`u.${subject}`)).toEqual(first.get(`u.${subject}`));
    expect(both.get(`m.${subject}`)).toHaveLength(32);
    const opened = await keys.keysForOpening([`u.${subject}`, `m.${subject}`]);
    expect(opened).toEqual(both);
    const rows = await knex.table("pii_keys").where("subject_id", subject);
    expect(rows).toHaveLength(2);
    // Stored wrapped, never as the key itself.
    for (const r of rows)
      expect(Buffer.from(r.wrapped_key).includes(both.get(r.key_id) as Buffer)).toBe(false);
  });

  test("writers racing for one new key all get the one stored", async () => {
    const keys = createPostgresKeyStore(knex, kek);
    const subject = randomUUID();
    const got = await Promise.all(
      Array.from({ length: 20 }, () => keys.keysForSealing([{ keyId: `u.${subject}`, subjectId: subject }])),
    );
    const distinct = new Set(got.map((m) => (m.get(`u.${subject}`) as Buffer).toString("hex")));
    expect(distinct.size).toBe(1);
    expect(await knex.table("pii_keys").where("subject_id", subject)).toHaveLength(1);
  });

  test("an erased subject is refused by name, and nothing of the request is stored", async () => {
    const keys = createPostgresKeyStore(knex, kek);
    const erased = randomUUID();
    const fresh = randomUUID();
    await keys.keysForSealing([{ keyId: `u.${erased}`, subjectId: erased }]);
    expect((await keys.eraseSubjects([erased])).destroyed).toBe(1);
    const refused = keys.keysForSealing([
      { keyId: `u.${fresh}`, subjectId: fresh },
      { keyId: `u.${erased}`, subjectId: erased },
    ]);
    await expect(refused).rejects.toBeInstanceOf(SubjectErasedError);
    await expect(refused).rejects.toMatchObject({ subjectId: erased });
    expect(await knex.table("pii_keys").whereIn("subject_id", [erased, fresh])).toEqual([]);
    expect(await keys.isErased(erased)).toBe(true);
  });

  test("an erasure racing key creation leaves no key for the erased subject", async () => {
    const keys = createPostgresKeyStore(knex, kek);
    const subject = randomUUID();
    const results = await Promise.allSettled([
      ...Array.from({ length: 10 }, (_, i) =>
        keys.keysForSealing([{ keyId: `m.${subject}.${i}`, subjectId: subject }]),
      ),
      keys.eraseSubjects([subject]),
      ...Array.from({ length: 10 }, (_, i) =>
        keys.keysForSealing([{ keyId: `m.${subject}.${10 + i}`, subjectId: subject }]),
      ),
    ]);
    for (const r of results) if (r.status === "rejected") expect(r.reason).toBeInstanceOf(SubjectErasedError);
    expect(await knex.table("pii_keys").where("subject_id", subject)).toEqual([]);
  });
});
