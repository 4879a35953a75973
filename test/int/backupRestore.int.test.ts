import { execFile, execFileSync } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import type { Knex } from "knex";
import { createKnex } from "../../src/db/database";
import { projectionHealth } from "../../src/ops/projectionHealth";
import { staffKey, startVisitorChat } from "../support/conversation";
import { asOssUser } from "../support/identity";
import { snapshotTables, waitFor } from "../support/readModel";
import { runCli } from "../support/runCli";
import { createTestDatabase, type TestDatabase, testServerUrl } from "../support/testDatabase";
import { startTestService, type TestService } from "../support/testService";

/**
 * The README's backup and restore (Operations → Backup and restore), step by step: pg_dump of the event store
 * and the service's own tables, the read tables' rows left out; the KEK kept apart; pg_restore into a new
 * database; `audit verify`; `projections rebuild`; the read tables equal to the original's.
 */

const run = promisify(execFile);
/** The read tables, rebuilt from the log: the backup leaves their rows out (README, same list). */
const READ_TABLES = [
  "chat_users",
  "chat_sessions",
  "chat_session_contacts",
  "chat_messages",
  "chat_agents",
  "stream_revisions",
  "projection_dead_letters",
];

/** pg_dump refuses a server newer than itself (the embedded Postgres is 18; Debian 12's client is 15). */
function whyNot(): string | null {
  try {
    const client = /(\d+)(?:\.\d+)+/.exec(execFileSync("pg_dump", ["--version"], { encoding: "utf8" }))?.[1];
    const server = execFileSync("psql", ["-Atc", "show server_version_num", testServerUrl], {
      encoding: "utf8",
    });
    const serverMajor = Math.floor(Number(server.trim()) / 10000);
    return Number(client) >= serverMajor
      ? null
      : `pg_dump ${client} cannot dump the PostgreSQL ${serverMajor} test server`;
  } catch (err) {
    return `pg_dump or psql not usable here (${(err as Error).message.split("\n")[0]})`;
  }
}
const skip = whyNot();

(skip ? describe.skip : describe)(`backup and restore${skip ? ` (skipped: ${skip})` : ""}`, () => {
  const kek = randomBytes(32).toString("base64");
  let original: TestDatabase;
  let restored: TestDatabase;
  let svc: TestService;
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "lc-backup-"));
    original = await createTestDatabase("lc_backup");
    restored = await createTestDatabase("lc_restored");
    svc = await startTestService({ PII_KEK: kek, DATA_DIR: dir }, undefined, original);
  });
  afterAll(async () => {
    await svc?.stop();
    await original?.drop();
    await restored?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  test("a dump of the event store, restored into a new database with the KEK, verifies and rebuilds the same read tables", async () => {
    // A day's work: chats with contacts and messages, an agent's claim, reply and close, a rating, a login, an erasure.
    const agent = await staffKey(svc, "agent", "Dewi (CS)");
    const visitors = [];
    for (let i = 0; i < 3; i++) {
      const v = await startVisitorChat(svc, {
        topic: `Izin usaha ${i}`,
        priority: i === 0 ? "high" : "normal",
      });
      visitors.push(v);
      const contact = await svc.post(
        "/api/oss-chat/contact",
        {
          session_id: v.sessionId,
          contact_name: `Budi ${i}`,
          contact_email: `budi${i}@example.com`,
          contact_phone: "081234567890",
        },
        v.headers,
      );
      expect(contact.status).toBe(201);
      for (const body of ["Halo", "Saya mau tanya soal NIB"]) {
        const posted = await svc.post(
          "/api/oss-chat/message",
          { session_id: v.sessionId, client_message_id: randomUUID(), body },
          v.headers,
        );
        expect(posted.status).toBe(201);
      }
    }
    const [first, second, third] = visitors as [
      (typeof visitors)[0],
      (typeof visitors)[0],
      (typeof visitors)[0],
    ];
    expect((await svc.post(`/api/agent/sessions/${first.sessionId}/claim`, {}, agent.headers)).status).toBe(
      200,
    );
    const reply = { body: "Selamat siang, NIB bisa diurus lewat menu Perizinan." };
    expect(
      (await svc.post(`/api/agent/sessions/${first.sessionId}/messages`, reply, agent.headers)).status,
    ).toBe(201);
    expect((await svc.post(`/api/agent/sessions/${first.sessionId}/close`, {}, agent.headers)).status).toBe(
      200,
    );
    const rated = await svc.post(
      `/api/oss-chat/session/${first.sessionId}/rating`,
      { score: 5 },
      first.headers,
    );
    expect(rated.status).toBe(201);
    const login = await asOssUser("USER123", "user@example.com");
    const linked = await svc.post(
      "/api/oss-chat/link-user",
      { browser_uuid: second.browser, oss_user_id: "USER123", email: "user@example.com" },
      login,
    );
    expect(linked.status).toBe(200);
    const erased = await runCli(original.url, ["privacy", "erase", third.chatUserId, "--reason", "other"], {
      PII_KEK: kek,
      DATA_DIR: dir,
    });
    expect(erased.stderr).toBe("");
    expect(erased.code).toBe(0);
    expect((await runCli(original.url, ["audit", "checkpoint"], { PII_KEK: kek, DATA_DIR: dir })).code).toBe(
      0,
    );
    // The read tables have applied the whole log (its last event, not just what the log head shows as readable yet).
    const knex = svc.database.knex;
    const last = Number((await knex.table("events").max({ p: "global_position" }).first())?.p);
    await waitFor(async () => {
      const checkpoint = (await projectionHealth(knex)).projections[0]?.checkpoint?.log_position;
      return Number(checkpoint?.split(".")[1] ?? 0) >= last;
    }, 60_000);
    const before = await snapshotTables(svc.database.knex);
    expect(before.chat_sessions).toHaveLength(3);
    expect(before.chat_messages?.length).toBeGreaterThanOrEqual(7);

    // 1. Back up (as in the README): the whole schema; every table's rows but the read tables'.
    const dump = path.join(dir, "livechat.dump");
    await run("pg_dump", [
      "--format=custom",
      `--file=${dump}`,
      ...READ_TABLES.map((t) => `--exclude-table-data=${t}`),
      original.url,
    ]);

    // 2. Restore into a new, empty database.
    await run("pg_restore", ["--no-owner", "--exit-on-error", `--dbname=${restored.url}`, dump]);
    const quiet = async <T>(use: (knex: Knex) => Promise<T>): Promise<T> => {
      const knex = createKnex(restored.url, 2);
      try {
        return await use(knex);
      } finally {
        await knex.destroy();
      }
    };
    const cli = (args: string[], env: Record<string, string> = { PII_KEK: kek }) =>
      runCli(restored.url, args, { DATA_DIR: dir, ...env });

    // Without the KEK (kept apart from the dump) the restored data cannot be opened: the CLI stops, naming it.
    const wrongKek = await cli(["audit", "verify"], { PII_KEK: randomBytes(32).toString("base64") });
    expect(wrongKek.code).toBe(2);
    expect(wrongKek.stderr).toContain("PII_KEK: this key-encryption key did not wrap the stored data keys");

    // 3. Verify: every hash chain, and the log against the head checkpoint taken before the backup.
    const verified = await cli(["audit", "verify"]);
    expect(verified.stderr).toBe("");
    expect(verified.code).toBe(0);
    expect(JSON.parse(verified.stdout)).toMatchObject({ ok: true, broken: [] });
    expect(await quiet((knex) => knex.table("chat_sessions").count({ n: "*" }).first())).toEqual({ n: "0" });

    // 4. Rebuild the read tables from the restored log, then compare them with the original's.
    const rebuilt = await cli(["projections", "rebuild"]);
    expect(rebuilt.code).toBe(0);
    expect(rebuilt.stdout).toContain("rebuilt read_model");
    const after = await quiet((knex) => snapshotTables(knex));
    expect(after).toEqual(before);

    // The restored service runs on it: the KEK opens the contacts; the erased visitor stays erased.
    const restoredSvc = await startTestService({ PII_KEK: kek, DATA_DIR: dir }, undefined, restored);
    try {
      const session = await restoredSvc.get(`/api/oss-chat/session/${first.sessionId}`, first.headers);
      expect(session.status).toBe(200);
      expect(JSON.stringify(session.body)).toContain("budi0@example.com");
      const gone = await restoredSvc.get(`/api/oss-chat/session/${third.sessionId}`, third.headers);
      expect(JSON.stringify(gone.body)).not.toContain("budi2@example.com");
    } finally {
      await restoredSvc.stop();
    }
  });
});
