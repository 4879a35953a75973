import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import path from "node:path";
import { createStaffKey } from "../../src/auth/staffKeys";
import { asBrowser } from "../support/identity";
import { waitFor } from "../support/readModel";
import { createTestDatabase, type TestDatabase } from "../support/testDatabase";
import { startTestService, type TestService } from "../support/testService";
import { anEvent } from "./eventStoreContract";

const root = path.resolve(__dirname, "../..");
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

function cli(db: TestDatabase, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      path.join(root, "node_modules/.bin/tsx"),
      ["src/cli.ts", ...args],
      { cwd: root, env: { ...process.env, DATABASE_URL: db.url, LOG_LEVEL: "silent" } },
      (err, stdout, stderr) => resolve({ code: err ? Number(err.code) : 0, stdout, stderr }),
    );
  });
}

describe("projection health and metrics", () => {
  let svc: TestService;
  let ops: Record<string, string>;
  beforeAll(async () => {
    svc = await startTestService({ METRICS_PORT: "0" });
    ops = bearer((await createStaffKey(svc.database.knex, { name: "Ops", role: "ops" })).key);
  });
  afterAll(async () => svc.stop());

  test("GET /api/admin/projections: checkpoint at the log head, no lag, running; ops only", async () => {
    const auditor = bearer((await createStaffKey(svc.database.knex, { name: "A", role: "auditor" })).key);
    expect((await svc.get("/api/admin/projections")).status).toBe(401);
    expect((await svc.get("/api/admin/projections", auditor)).status).toBe(403);
    const browser = randomUUID();
    const s = await svc.post("/api/oss-chat/start", { browser_uuid: browser, topic: "Izin" });
    await svc.get(
      `/api/oss-chat/session/${s.body.session_id}?min_position=${s.body.position}`,
      asBrowser(browser),
    );
    await waitFor(
      async () => (await svc.get("/api/admin/projections", ops)).body.projections[0].lag_events === 0,
    );
    const res = await svc.get("/api/admin/projections", ops);
    expect(res.status).toBe(200);
    expect(res.body.head.position).toBe(s.body.position);
    expect(res.body.projections[0]).toMatchObject({
      name: "read_model",
      state: "running",
      checkpoint: { log_position: res.body.head.log_position },
      lag_events: 0,
      lag_seconds: 0,
      dead_letters: { count: 0 },
      rebuild: { running: false, checkpoint: null },
    });
  });

  test("an event the projector cannot apply shows as a dead letter with how to retry it", async () => {
    // A session of a chat user that does not exist breaks the read tables' foreign key.
    const bad = anEvent(randomUUID());
    await svc.database.store.append(`chatSession-${randomUUID()}`, [bad], "no_stream");
    await waitFor(
      async () => (await svc.get("/api/admin/projections", ops)).body.projections[0].dead_letters.count === 1,
    );
    const dead = (await svc.get("/api/admin/projections", ops)).body.projections[0].dead_letters;
    expect(dead.latest[0]).toMatchObject({ event_id: bad.id, event_type: "ChatSessionStarted" });
    expect(dead.latest[0].error).toMatch(/foreign key/);
    expect(dead.how_to_retry).toContain("livechat projections rebuild");
  });

  test("/metrics: command latency by command, events appended and applied, projection lag", async () => {
    await svc.post("/api/oss-chat/start", { browser_uuid: randomUUID(), topic: "Metrik" });
    await svc.post("/api/oss-chat/start", { topic: "" });
    await waitFor(async () =>
      /livechat_events_applied_total\{projector="read_model"\} [1-9]/.test(await scrape()),
    );
    const text = await scrape();
    expect(text).toMatch(
      /livechat_command_duration_seconds_bucket\{le="[\d.]+",command="StartChat",outcome="ok"\} [1-9]/,
    );
    expect(text).toMatch(
      /livechat_command_duration_seconds_count\{command="StartChat",outcome="client_error"\} 1/,
    );
    expect(text).toMatch(/livechat_events_appended_total\{type="ChatSessionStarted"\} [1-9]/);
    expect(text).toMatch(/livechat_projection_lag_events\{projector="read_model"\} \d+/);
    expect(text).toMatch(/livechat_projection_lag_seconds\{projector="read_model"\} [\d.]+/);
  });

  test("/metrics is not public: the API port wants an ops key, the metrics port serves it alone", async () => {
    const auditor = bearer((await createStaffKey(svc.database.knex, { name: "A", role: "auditor" })).key);
    const open = await svc.get("/metrics");
    expect(open.status).toBe(401);
    expect(JSON.stringify(open.body)).not.toContain("livechat_");
    expect((await svc.get("/metrics", auditor)).status).toBe(403);
    const withKey = await svc.get("/metrics", ops);
    expect(withKey.status).toBe(200);
    expect(withKey.body).toContain("livechat_events_appended_total");
    expect(svc.metricsUrl).not.toBeNull();
    expect(svc.metricsUrl).not.toBe(svc.url);
    expect((await fetch(`${svc.metricsUrl}/api/oss-chat/history`)).status).toBe(404);
    expect((await fetch(`${svc.metricsUrl}/healthz`)).status).toBe(404);
  });

  /** Scrapes the way Prometheus does: the metrics port, no credentials. */
  async function scrape() {
    const res = await fetch(`${svc.metricsUrl}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/text\/plain/);
    return res.text();
  }
});

describe("a stalled projector, and the projections CLI", () => {
  let db: TestDatabase;
  let svc: TestService;
  let ops: Record<string, string>;
  beforeAll(async () => {
    db = await createTestDatabase();
    svc = await startTestService({}, { api: true, projector: false }, db); // the projector is down
    ops = bearer((await createStaffKey(svc.database.knex, { name: "Ops", role: "ops" })).key);
    for (let i = 0; i < 3; i++)
      await svc.post("/api/oss-chat/start", { browser_uuid: randomUUID(), topic: `T${i}` });
  });
  afterAll(async () => {
    await svc.stop();
    await db.drop();
  });

  test("events waiting longer than the stall limit make the state stalled, with the lag in events and seconds", async () => {
    const knex = svc.database.knex;
    await knex.raw("ALTER TABLE events DISABLE TRIGGER events_immutable");
    await knex.table("events").update({ recorded_at: knex.raw("now() - interval '2 minutes'") });
    await knex.raw("ALTER TABLE events ENABLE TRIGGER events_immutable");
    // Lag counts what is readable: below the oldest transaction in flight anywhere on the server.
    let p: any;
    await waitFor(async () => {
      p = (await svc.get("/api/admin/projections", ops)).body.projections[0];
      return p.lag_events === 6;
    });
    expect(p).toMatchObject({ state: "stalled", checkpoint: null, lag_events: 6 });
    expect(p.lag_seconds).toBeGreaterThanOrEqual(119);
  });

  test("livechat projections status, rebuild with plain progress lines, and clear errors", async () => {
    await waitFor(
      async () => (await svc.get("/api/admin/projections", ops)).body.projections[0].lag_events === 6,
    );
    const status = await cli(db, ["projections", "status"]);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout).projections[0]).toMatchObject({ name: "read_model", lag_events: 6 });

    const rebuild = await cli(db, ["projections", "rebuild"]);
    expect(rebuild.code).toBe(0);
    expect(rebuild.stderr).toMatch(/rebuild replay: 6\/6 events, \d+ events\/s, ETA \d+s/);
    expect(rebuild.stdout).toContain("rebuilt read_model: 6 events replayed");
    expect(rebuild.stdout).toContain("rebuilt reports: 3 sessions");
    expect(Number((await svc.database.knex.table("report_session_facts").count({ n: "*" }).first())?.n)).toBe(
      3,
    );
    const reportsOnly = await cli(db, ["projections", "rebuild", "reports"]);
    expect(reportsOnly.stdout).toContain("rebuilt reports: 3 sessions");
    const after = await cli(db, ["projections", "status"]);
    expect(JSON.parse(after.stdout).projections[0]).toMatchObject({ state: "running", lag_events: 0 });
    const rows = await svc.database.knex.table("chat_sessions").count({ n: "*" }).first();
    expect(Number(rows?.n)).toBe(3);

    const unknown = await cli(db, ["projections", "rebuild", "chat_things"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown projection "chat_things"');
    const badTime = await cli(db, ["audit", "log", "--from-time", "yesterday"]);
    expect(badTime.code).toBe(2);
    expect(badTime.stderr).toContain("--from-time");
  });
});
