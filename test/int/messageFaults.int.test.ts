import { randomUUID } from "node:crypto";
import { createServer } from "node:net";
import { type CliProcess, spawnCli } from "../support/cliProcess";
import { TEST_IDENTITY_SECRET } from "../support/identity";
import { waitFor } from "../support/readModel";
import { createTestDatabase, type TestDatabase } from "../support/testDatabase";
import { startTestService, type TestService } from "../support/testService";

// The API process killed (SIGKILL) while visitors post: their retries, with the same client_message_id, leave
// every message exactly once and every session's seq without gaps — across a restart with a cold cache.
let db: TestDatabase;
let projector: TestService;
let api: CliProcess;
let env: Record<string, string>;
let url: string;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function startApi() {
  api = spawnCli("api", env);
  await api.waitForOutput(/API listening/);
}

beforeAll(async () => {
  db = await createTestDatabase("lc_msg_faults");
  // The projector runs here; the API in a process of its own that the test can kill.
  projector = await startTestService({}, { api: false, projector: "log" }, db);
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  env = {
    DATABASE_URL: db.url,
    PORT: String(port),
    HOST: "127.0.0.1",
    OSS_IDENTITY_SECRET: TEST_IDENTITY_SECRET,
  };
  await startApi();
}, 120_000);

afterAll(async () => {
  await api?.kill("SIGTERM");
  await projector?.stop();
  await db?.drop();
});

async function post(path: string, body: unknown, headers: Record<string, string>) {
  const res = await fetch(`${url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe("the API killed mid-load", () => {
  test("retries with the same client_message_id leave each message once, seq without gaps", async () => {
    const sessions = await Promise.all(
      Array.from({ length: 6 }, async () => {
        const browser = randomUUID();
        const s = await post("/api/oss-chat/start", { browser_uuid: browser, topic: "Kill" }, {});
        expect(s.status).toBe(201);
        const messages = Array.from({ length: 30 }, (_, i) => ({
          client_message_id: randomUUID(),
          body: `m${i}`,
        }));
        return { id: String(s.body.session_id), headers: { "x-browser-uuid": browser }, messages };
      }),
    );
    let answered = 0;
    let failed = 0;
    const sendAll = (tolerant: boolean) =>
      Promise.all(
        sessions.map(async (s) => {
          for (let i = 0; i < s.messages.length; i += 3) {
            await Promise.all(
              s.messages.slice(i, i + 3).map(async (m) => {
                try {
                  const r = await post("/api/oss-chat/message", { session_id: s.id, ...m }, s.headers);
                  expect([200, 201]).toContain(r.status);
                  answered++;
                } catch (err) {
                  if (!tolerant) throw err; // the connection died with the API
                  failed++;
                }
              }),
            );
          }
        }),
      );
    const firstRound = sendAll(true);
    await waitFor(async () => answered >= 40, 30_000);
    await api.kill("SIGKILL");
    await firstRound;
    // The kill came mid-load: some posts were answered, some were cut off.
    expect(answered).toBeLessThan(6 * 30);
    expect(failed).toBeGreaterThan(0);
    await startApi();
    await sendAll(false);

    const knex = projector.database.knex;
    const posted = async () =>
      (await knex.raw("select count(*)::int as n from events where event_type = 'ChatMessagePosted'")).rows[0]
        .n;
    expect(await posted()).toBe(6 * 30);
    await waitFor(async () => {
      const r = await knex.raw("select count(*)::int as n from chat_messages");
      return r.rows[0].n === 6 * 30;
    });
    for (const s of sessions) {
      const rows = await knex.table("chat_messages").where({ session_id: s.id }).orderBy("seq");
      expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
      expect(new Set(rows.map((r) => r.client_message_id))).toEqual(
        new Set(s.messages.map((m) => m.client_message_id)),
      );
    }
  });
});
