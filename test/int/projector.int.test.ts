import { randomUUID } from "node:crypto";
import { loadConfig } from "../../src/config";
import { logStart } from "../../src/eventstore/eventStore";
import { createLogger } from "../../src/logger";
import { applyEvents } from "../../src/projections/applyEvents";
import { startLogProjector } from "../../src/projections/logProjector";
import { createReadModelTables } from "../../src/projections/schema";
import { openDatabase } from "../../src/service";
import { spawnCli } from "../support/cliProcess";
import { asBrowser, asOssUser } from "../support/identity";
import { freshReplay, snapshotTables, waitFor } from "../support/readModel";
import { createTestDatabase, type TestDatabase } from "../support/testDatabase";
import { openQuietDatabase, startTestService } from "../support/testService";
import { readToEnd } from "./eventStoreContract";

type Post = (path: string, body: unknown, headers?: Record<string, string>) => Promise<{ body: any }>;

async function writeTraffic(post: Post, rounds: number) {
  for (let i = 0; i < rounds; i++) {
    const browser = randomUUID();
    const s = await post("/api/oss-chat/start", { browser_uuid: browser, topic: `Topik ${i}` });
    await post(
      "/api/oss-chat/contact",
      { session_id: s.body.session_id, contact_name: `Nama ${i}`, contact_email: `n${i}@example.com` },
      asBrowser(browser),
    );
    if (i % 3 === 0)
      await post(
        "/api/oss-chat/link-user",
        { browser_uuid: browser, oss_user_id: `OSS-${i % 6}`, email: `o${i}@example.com` },
        await asOssUser(`OSS-${i % 6}`, `o${i}@example.com`),
      );
    if (i % 4 === 0)
      await post(
        "/api/oss-chat/contact",
        { session_id: s.body.session_id, contact_name: `Nama ${i} baru`, contact_email: `n${i}@example.com` },
        asBrowser(browser),
      );
  }
}

describe("projector", () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
    // Write the log with the API only: no projector runs yet.
    const api = await startTestService({}, { api: true, projector: false }, db);
    await writeTraffic(api.post, 60);
    await api.stop();
  });
  afterAll(async () => db.drop());

  test("killed with SIGKILL mid-stream, it resumes from its checkpoint with tables equal to a fresh replay", async () => {
    const config = loadConfig({ DATABASE_URL: db.url, LOG_LEVEL: "silent" });
    const logger = createLogger("silent");
    const database = await openDatabase(config, logger);
    try {
      const all = await readToEnd(database.store, logStart);
      const end = all.at(-1)?.logPosition.prepare;
      const checkpoint = async () => {
        const cp = await database.knex.table("projection_checkpoints").where({ name: "read_model" }).first();
        return cp ? BigInt(cp.prepare_position) : 0n;
      };

      // The service in a process of its own, projecting in small batches; killed once it is partway.
      const child = spawnCli("start", { DATABASE_URL: db.url, PORT: "0", PROJECTOR_BATCH_SIZE: "1" });
      await waitFor(async () => (await checkpoint()) > 0n);
      await child.kill("SIGKILL");
      const reached = await checkpoint();
      expect(reached).toBeLessThan(end as bigint); // it really stopped partway

      const resumed = startLogProjector({
        knex: database.knex,
        store: database.store,
        logger,
        batchSize: 25,
      });
      await waitFor(async () => (await checkpoint()) === end);
      await resumed.stop();

      expect(await snapshotTables(database.knex)).toEqual(await freshReplay(database, "replay_check"));
      const dead = await database.knex.table("projection_dead_letters").count({ n: "*" }).first();
      expect(Number(dead?.n)).toBe(0);
    } finally {
      await database.close();
    }
  });

  test("applying the same events twice changes nothing", async () => {
    const database = await openQuietDatabase(db.url);
    try {
      await createReadModelTables(database.knex, "twice");
      const events = await readToEnd(database.store, logStart);
      const first = await applyEvents(database.knex, events, { schema: "twice", projector: "twice" });
      expect(first.applied).toBe(events.length);
      const before = await snapshotTables(database.knex, "twice");
      const again = await applyEvents(database.knex, events, { schema: "twice", projector: "twice" });
      expect(again).toEqual({ applied: 0, skipped: events.length, deadLettered: 0 });
      expect(await snapshotTables(database.knex, "twice")).toEqual(before);
    } finally {
      await database.close();
    }
  });

  test("wakes on LISTEN/NOTIFY: with polling a minute apart, a new event is applied at once", async () => {
    const svc = await startTestService({ PROJECTOR_POLL_MS: "60000", READ_YOUR_WRITES_TIMEOUT_MS: "20000" });
    try {
      await new Promise((r) => setTimeout(r, 300)); // let the projector reach its first wait
      const browser = randomUUID();
      const started = Date.now();
      const s = await svc.post("/api/oss-chat/start", { browser_uuid: browser, topic: "Bangun" });
      const d = await svc.get(
        `/api/oss-chat/session/${s.body.session_id}?min_position=${s.body.position}`,
        asBrowser(browser),
      );
      expect(d.status).toBe(200);
      expect(d.headers.get("x-read-model-stale")).toBeNull();
      // Generous for a loaded machine, still far below the minute a poll would take.
      expect(Date.now() - started).toBeLessThan(20_000);
    } finally {
      await svc.stop();
    }
  });
});
