import { migrationSource } from "../../migrations/index";
import { createKnex, migrateDownAll, migrateLatest } from "../../src/db/database";
import { createTestDatabase, type TestDatabase } from "../support/testDatabase";

const tablesOf = async (knex: ReturnType<typeof createKnex>) =>
  (
    await knex.raw(
      "select table_name from information_schema.tables where table_schema = 'public' and table_name not like 'knex_%' order by 1",
    )
  ).rows.map((r: { table_name: string }) => r.table_name);

describe("migrations", () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => db.drop());

  test("run up, down to nothing, and up again", async () => {
    const knex = createKnex(db.url, 2);
    try {
      expect(await migrateLatest(knex, migrationSource)).toEqual([
        "001_event_store",
        "002_read_model",
        "003_dead_letters",
        "004_staff_keys",
        "005_audit_ops",
        "006_append_to_streams",
        "007_session_origin",
        "008_row_versions",
        "009_idempotency_keys",
        "010_append_without_notify",
        "011_privacy",
        "012_log_checkpoints",
        "013_webhooks",
        "014_conversations",
        "015_pii_keys_in_one_call",
        "016_projection_claims",
        "017_append_with_keys",
        "018_agent_workspace",
        "019_append_batch",
        "020_report_session_facts",
      ]);
      const full = await tablesOf(knex);
      expect(full).toEqual(
        expect.arrayContaining([
          "events",
          "chat_users",
          "chat_sessions",
          "chat_session_contacts",
          "projection_checkpoints",
          "stream_revisions",
          "chat_messages",
          "chat_agents",
        ]),
      );
      await migrateDownAll(knex, migrationSource);
      expect(await tablesOf(knex)).toEqual([]);
      await migrateLatest(knex, migrationSource);
      expect(await tablesOf(knex)).toEqual(full);
    } finally {
      await knex.destroy();
    }
  });

  test("the read tables keep the seed's constraints and indexes", async () => {
    const knex = createKnex(db.url, 2);
    try {
      await migrateLatest(knex, migrationSource);
      const indexes = (
        await knex.raw("select indexname from pg_indexes where schemaname = 'public'")
      ).rows.map((r: { indexname: string }) => r.indexname);
      expect(indexes).toEqual(
        expect.arrayContaining([
          "idx_chat_users_browser_uuid",
          "idx_chat_users_oss_user_id",
          "idx_chat_users_email",
          "idx_chat_sessions_chat_user_id",
          "chat_session_contacts_session_id_key",
          "chat_users_browser_uuid_key",
        ]),
      );
      await expect(
        knex
          .table("chat_users")
          .insert({ id: "00000000-0000-4000-8000-000000000001", is_anonymous: true, ip_address: "1.1.1.1" }),
      ).rejects.toThrow(/check constraint/);
      await expect(
        knex.table("chat_users").insert({
          id: "00000000-0000-4000-8000-000000000002",
          is_anonymous: false,
          oss_user_id: "U",
          ip_address: "1.1.1.1",
        }),
      ).rejects.toThrow(/check constraint/);
    } finally {
      await knex.destroy();
    }
  });
});
