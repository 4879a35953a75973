import { randomUUID } from "node:crypto";
import { verifyChains } from "../../src/audit/verifyChains";
import { createStaffKey } from "../../src/auth/staffKeys";
import { loadCheckpoint } from "../../src/db/checkpoints";
import { compareLogPositions, logStart } from "../../src/eventstore/eventStore";
import { RebuildAlreadyRunningError, type RebuildProgress, rebuildReadModel } from "../../src/ops/rebuild";
import { REBUILD_CHECKPOINT, REBUILD_LOCK_KEY, SHADOW_SCHEMA } from "../../src/ops/rebuildNames";
import { asBrowser, asOssUser } from "../support/identity";
import { freshReplay, snapshotTables, waitFor } from "../support/readModel";
import { startTestService, type TestService } from "../support/testService";
import { readToEnd } from "./eventStoreContract";

let svc: TestService;
let ops: Record<string, string>;

async function traffic(rounds: number, statuses: number[] = []) {
  for (let i = 0; i < rounds; i++) {
    const browser = randomUUID();
    const s = await svc.post("/api/oss-chat/start", { browser_uuid: browser, topic: `Topik ${i}` });
    statuses.push(s.status);
    const c = await svc.post(
      "/api/oss-chat/contact",
      { session_id: s.body.session_id, contact_name: `Nama ${i}`, contact_email: `n${i}@example.com` },
      asBrowser(browser),
    );
    statuses.push(c.status);
    if (i % 3 === 0) {
      const l = await svc.post(
        "/api/oss-chat/link-user",
        { browser_uuid: browser, oss_user_id: `OSS-${i % 4}`, email: `o${i % 4}@example.com` },
        await asOssUser(`OSS-${i % 4}`, `o${i % 4}@example.com`),
      );
      statuses.push(l.status);
    }
    const h = await svc.get(
      `/api/oss-chat/history?browser_uuid=${browser}&min_position=${c.body.position}`,
      asBrowser(browser),
    );
    statuses.push(h.status);
    const d = await svc.get(`/api/oss-chat/session/${s.body.session_id}`, asBrowser(browser));
    statuses.push(d.status === 404 ? 200 : d.status); // not projected yet is fine; failing is not
  }
}

async function caughtUp() {
  const events = await readToEnd(svc.database.store, logStart);
  const end = events.at(-1)?.logPosition;
  await waitFor(async () => {
    const cp = await loadCheckpoint(svc.database.knex, "read_model");
    return cp !== null && end !== undefined && compareLogPositions(cp, end) >= 0;
  });
}

const tableOid = async () =>
  (await svc.database.knex.raw("SELECT 'public.chat_sessions'::regclass::oid AS oid")).rows[0].oid;

beforeAll(async () => {
  svc = await startTestService();
  ops = {
    authorization: `Bearer ${(await createStaffKey(svc.database.knex, { name: "Ops", role: "ops" })).key}`,
  };
  await traffic(40);
});
afterAll(async () => svc.stop());

describe("zero-downtime rebuild", () => {
  test("rebuilds while requests run: no request fails, and the tables equal a fresh replay", async () => {
    const before = await tableOid();
    const statuses: number[] = [];
    let stop = false;
    const loaders = [1, 2, 3, 4].map(async () => {
      while (!stop) await traffic(1, statuses);
    });
    // The requests are under way (some events of theirs appended) before the rebuild starts: a rebuild that
    // replays faster than the first requests complete would otherwise replay only the 150 events made above.
    await waitFor(async () => statuses.length >= 8);
    const phases: string[] = [];
    const result = await rebuildReadModel({
      knex: svc.database.knex,
      store: svc.database.store,
      batchSize: 40,
      onProgress: (p) => phases.push(p.phase),
      // Events the live projector applies after the replay caught up: the swap itself must bring them over.
      beforeSwap: async () => {
        await traffic(2, statuses);
        await caughtUp();
      },
    }).finally(() => {
      stop = true;
    });
    await Promise.all(loaders);
    await traffic(3, statuses); // requests right after the swap too
    if (process.env.REBUILD_TEST_VERBOSE)
      console.log({
        requests: statuses.length,
        swapAttempts: result.swapAttempts,
        replayed: result.replayed,
      });

    expect(result.resumed).toBe(false);
    expect(result.replayed).toBeGreaterThan(150);
    expect(phases).toContain("swap");
    expect(await tableOid()).not.toBe(before); // the live tables really were swapped
    expect(statuses.length).toBeGreaterThan(10);
    expect(statuses.filter((s) => s >= 300)).toEqual([]);
    const schema = await svc.database.knex.raw("SELECT 1 FROM pg_namespace WHERE nspname = ?", [
      SHADOW_SCHEMA,
    ]);
    expect(schema.rows).toEqual([]);

    await caughtUp();
    expect(await snapshotTables(svc.database.knex)).toEqual(
      await freshReplay(svc.database, "replay_after_swap"),
    );
    // Concurrent writers (and their conflict retries) still leave every stream's hash chain whole.
    expect(await verifyChains(svc.database.sealedLog)).toMatchObject({ ok: true, unchained: 0 });
    // The rebuilt rows keep their versions (the log position that wrote them), as the live projector writes them.
    for (const table of ["chat_users", "chat_sessions", "chat_session_contacts"]) {
      const unversioned = await svc.database.knex
        .table(table)
        .whereNull("applied_position")
        .count({ n: "*" });
      expect([table, Number(unversioned[0]?.n)]).toEqual([table, 0]);
    }
  });

  test("refuses to run while another rebuild holds the lock, which the health API shows", async () => {
    const holder = await svc.database.knex.client.acquireConnection();
    try {
      await holder.query("SELECT pg_advisory_lock($1)", [REBUILD_LOCK_KEY]);
      await expect(rebuildReadModel({ knex: svc.database.knex, store: svc.database.store })).rejects.toThrow(
        RebuildAlreadyRunningError,
      );
      const health = await svc.get("/api/admin/projections", ops);
      expect(health.body.projections[0]).toMatchObject({ state: "rebuilding", rebuild: { running: true } });
    } finally {
      await holder.query("SELECT pg_advisory_unlock($1)", [REBUILD_LOCK_KEY]);
      await svc.database.knex.client.releaseConnection(holder);
    }
  });

  test("the swap gives way to a long read holding the live tables, and swaps once it has ended", async () => {
    const knex = svc.database.knex;
    let release: () => void = () => undefined;
    const reading = knex.transaction(async (trx) => {
      await trx.table("chat_sessions").count({ n: "*" });
      await new Promise<void>((r) => {
        release = r;
      });
    });
    let attempts = 0;
    const result = await rebuildReadModel({
      knex,
      store: svc.database.store,
      swapLockTimeoutMs: 50,
      beforeSwap: async () => {
        attempts++;
        if (attempts < 3) return; // the first two attempts meet the long read and back off
        const b = randomUUID();
        expect((await svc.get(`/api/oss-chat/history?browser_uuid=${b}`, asBrowser(b))).status).toBe(200);
        release();
        await reading;
      },
    });
    expect(result.swapAttempts).toBe(3);
    await caughtUp();
    expect(await snapshotTables(knex)).toEqual(await freshReplay(svc.database, "replay_after_wait"));
  });

  test("resumes from its shadow checkpoint after a crash", async () => {
    const knex = svc.database.knex;
    const crash = new Error("crashed mid-replay");
    let seen: RebuildProgress | null = null;
    await expect(
      rebuildReadModel({
        knex,
        store: svc.database.store,
        batchSize: 25,
        onProgress: (p) => {
          seen = p;
          if (p.done >= 50) throw crash;
        },
      }),
    ).rejects.toBe(crash);
    expect(seen).toMatchObject({ phase: "replay", done: 50 });
    expect(await loadCheckpoint(knex, REBUILD_CHECKPOINT)).not.toBeNull();
    const health = await svc.get("/api/admin/projections", ops);
    expect(health.body.projections[0].rebuild).toMatchObject({ running: false });
    expect(health.body.projections[0].rebuild.checkpoint).not.toBeNull();

    await traffic(2);
    const total = (await readToEnd(svc.database.store, logStart)).length;
    const result = await rebuildReadModel({ knex, store: svc.database.store, batchSize: 25 });
    expect(result.resumed).toBe(true);
    expect(result.replayed).toBe(total - 50);
    expect(await loadCheckpoint(knex, REBUILD_CHECKPOINT)).toBeNull();
    await caughtUp();
    expect(await snapshotTables(knex)).toEqual(await freshReplay(svc.database, "replay_after_resume"));
  });
});
