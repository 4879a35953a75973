import { execFile } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { verifyChains } from "../../src/audit/verifyChains";
import { loadConfig } from "../../src/config";
import type { EventMetadata } from "../../src/events/metadata";
import { createLogger } from "../../src/logger";
import { rebuildReadModel } from "../../src/ops/rebuild";
import { ERASED } from "../../src/privacy/fieldCipher";
import { reencryptLog } from "../../src/privacy/reencrypt";
import { openDatabase } from "../../src/service";
import { asBrowser } from "../support/identity";
import { leaked } from "../support/privacy";
import { waitFor } from "../support/readModel";
import { createTestDatabase } from "../support/testDatabase";
import { startTestService, type TestService } from "../support/testService";

const root = path.resolve(__dirname, "../..");
const cli = (args: string[], env: Record<string, string>) =>
  promisify(execFile)(path.join(root, "node_modules/.bin/tsx"), ["src/cli.ts", ...args], {
    cwd: root,
    env: { ...process.env, LOG_LEVEL: "silent", ...env },
  }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (err: { code: number; stdout: string; stderr: string }) => err,
  );

describe("the key-encryption key", () => {
  test("a wrong PII_KEK fails at start naming the variable (service and CLI); the right one opens", async () => {
    const db = await createTestDatabase();
    const kek = randomBytes(32).toString("base64");
    const other = randomBytes(32).toString("base64");
    try {
      const open = (key: string) =>
        openDatabase(loadConfig({ DATABASE_URL: db.url, PII_KEK: key }), createLogger("silent"));
      await (await open(kek)).close();
      await expect(open(other)).rejects.toThrow(
        /PII_KEK: this key-encryption key did not wrap the stored data keys/,
      );
      await (await open(kek)).close();
      const run = await cli(["migrate"], { DATABASE_URL: db.url, PII_KEK: other });
      expect(run.code).toBe(2);
      expect(run.stderr).toContain("PII_KEK");
      const missing = await cli(["migrate"], { DATABASE_URL: db.url, NODE_ENV: "production", PII_KEK: "" });
      expect(missing.code).toBe(2);
      expect(missing.stderr).toContain("PII_KEK: required when NODE_ENV=production");
    } finally {
      await db.drop();
    }
  });

  test("without PII_KEK (not production) one is made in DATA_DIR, kept, and warned about", async () => {
    const db = await createTestDatabase();
    const dataDir = await mkdtemp(path.join(tmpdir(), "lc-kek-"));
    try {
      const lines: string[] = [];
      const logger = createLogger("warn", "t", { write: (l: string) => lines.push(l) });
      const config = loadConfig({ DATABASE_URL: db.url, DATA_DIR: dataDir });
      await (await openDatabase(config, logger)).close();
      const stored = (await readFile(path.join(dataDir, "pii-kek"), "utf8")).trim();
      expect(Buffer.from(stored, "base64")).toHaveLength(32);
      expect(lines.join("")).toContain("PII_KEK is not set");
      await (await openDatabase(config, createLogger("silent"))).close(); // the same key again
    } finally {
      await db.drop();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe("privacy operations", () => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService();
  });
  afterAll(async () => svc.stop());

  test("the CLI exports and erases a chat user", async () => {
    const browser = randomUUID();
    const name = `Budi ${randomUUID().slice(0, 8)}`;
    const s = await svc.post(
      "/api/oss-chat/start",
      { browser_uuid: browser, topic: "NIB" },
      asBrowser(browser),
    );
    await svc.post(
      "/api/oss-chat/contact",
      { session_id: s.body.session_id, contact_name: name, contact_email: "budi.cli@example.co.id" },
      asBrowser(browser),
    );
    const id = s.body.chat_user_id as string;
    await waitFor(
      async () =>
        (await svc.database.knex.table("chat_session_contacts").where({ contact_name: name })).length > 0,
    );
    const env = { DATABASE_URL: svc.db.url };
    const exported = await cli(["privacy", "export", id], env);
    expect(exported.code).toBe(0);
    expect(exported.stdout).toContain(name);
    const bad = await cli(["privacy", "erase", id, "--reason", "because"], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--reason");
    const erased = await cli(
      ["privacy", "erase", id, "--reason", "data_subject_request", "--reference", "T-1"],
      env,
    );
    expect(erased.code).toBe(0);
    expect(JSON.parse(erased.stdout)).toMatchObject({ chat_user_id: id, erased: true });
    const after = await cli(["privacy", "export", id], env);
    expect(after.stdout).not.toContain(name);
    expect(after.stdout).toContain(ERASED);
    const events = await svc.database.store.readStream(`chatUser-${id}`);
    expect(events.at(-1)?.data).toMatchObject({ erased_by: { kind: "system", id: "cli" } });
  });

  test("re-encryption seals events written in plaintext, resumes, records both roots, and verify passes", async () => {
    const { knex, sealedLog, store, keys } = svc.database;
    const metadata = (owner: string): EventMetadata => ({
      occurred_at: new Date().toISOString(),
      correlation_id: randomUUID(),
      causation_id: null,
      actor: { kind: "anonymous", id: randomUUID() },
      ip: "198.51.100.23",
      user_agent: "legacy-widget/0.9",
      owner_id: owner,
    });
    // Events as the service wrote them before personal data was sealed: straight to the chained store.
    const people = [0, 1, 2].map((i) => ({
      user: randomUUID(),
      session: randomUUID(),
      name: `Legacy Nama ${i} ${randomUUID().slice(0, 6)}`,
      email: `legacy${i}.${randomUUID().slice(0, 6)}@example.co.id`,
    }));
    for (const p of people) {
      await sealedLog.append(
        `chatUser-${p.user}`,
        [
          {
            type: "ChatUserRegistered",
            data: {
              chat_user_id: p.user,
              browser_uuid: randomUUID(),
              oss_user_id: null,
              email: null,
              is_anonymous: true,
              ip_address: "198.51.100.23",
              user_agent: "legacy-widget/0.9",
            },
            metadata: metadata(p.user),
          },
        ],
        "no_stream",
      );
      await sealedLog.append(
        `chatSession-${p.session}`,
        [
          {
            type: "ChatSessionStarted",
            data: {
              session_id: p.session,
              chat_user_id: p.user,
              topic: "NIB",
              priority: "normal",
              channel: "web",
            },
            metadata: metadata(p.user),
          },
          {
            type: "ChatSessionContactSet",
            data: {
              session_id: p.session,
              contact_id: randomUUID(),
              contact_name: p.name,
              contact_email: p.email,
              contact_phone: null,
              position: null,
              company_name: null,
            },
            metadata: metadata(p.user),
          },
        ],
        "no_stream",
      );
    }
    const logText = async () =>
      (await knex.table("events").select(knex.raw("data::text || metadata::text AS t")))
        .map((r: { t: string }) => r.t)
        .join("\n");
    const sent = people.flatMap((p) => [p.name, p.email]);
    expect(leaked(await logText(), sent)).toHaveLength(sent.length);
    expect((await verifyChains(sealedLog)).ok).toBe(true);
    // One of them was erased before the migration ran: their plaintext has no key to be sealed with.
    const erased = people[2] as (typeof people)[number];
    await keys.eraseSubjects([erased.user]);

    const first = await reencryptLog({ knex, keys, store }, { maxStreams: 2 });
    expect(first).toMatchObject({ checked: 2, root_before: null, root_after: null });
    const rest = await reencryptLog({ knex, keys, store });
    expect(rest.root_before).toMatch(/^[0-9a-f]{64}$/);
    expect(rest.root_after).toMatch(/^[0-9a-f]{64}$/);
    expect(rest.root_after).not.toBe(rest.root_before);
    expect(await reencryptLog({ knex, keys, store })).toMatchObject({ rewritten: 0, checked: 0 });

    expect(leaked(await logText(), [...sent, "198.51.100.23", "legacy-widget/0.9"])).toEqual([]);
    const verify = await verifyChains(sealedLog);
    expect(verify).toMatchObject({ ok: true, broken: [] });
    const records = (await store.readStream("privacy-reencryption")).filter(
      (e) => e.type === "LogReencrypted",
    );
    expect(records).toHaveLength(1);
    expect(records[0]?.data).toMatchObject({ root_before: rest.root_before, root_after: rest.root_after });
    const heads = await knex.table("pii_reencrypted_streams").whereIn(
      "stream_id",
      people.map((p) => `chatSession-${p.session}`),
    );
    expect(
      heads.every(
        (h: { head_hash_before: string; head_hash_after: string }) =>
          h.head_hash_before !== h.head_hash_after,
      ),
    ).toBe(true);

    // Reads open the sealed fields; the subject erased before the migration reads "[erased]".
    const kept = (await store.readStream(`chatSession-${people[0]?.session}`))[1];
    expect(kept?.data).toMatchObject({ contact_name: people[0]?.name, contact_email: people[0]?.email });
    expect(kept?.metadata).toMatchObject({ ip: "198.51.100.23" });
    const gone = (await store.readStream(`chatSession-${erased.session}`))[1];
    expect(gone?.data).toMatchObject({ contact_name: ERASED });
    await rebuildReadModel({ knex, store });
    const contact = await knex.table("chat_session_contacts").where("session_id", people[1]?.session).first();
    expect(contact.contact_name).toBe(people[1]?.name);
  });
});
