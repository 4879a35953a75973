import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import path from "node:path";
import { promisify } from "node:util";
import { createStaffKey } from "../../src/auth/staffKeys";
import { asBrowser, asOssUser } from "../support/identity";
import { startTestService, type TestService } from "../support/testService";

const root = path.resolve(__dirname, "../..");
let svc: TestService;
let auditor: Record<string, string>;
let ops: Record<string, string>;
const world = {
  sessionA: "",
  userA: "",
  sessionB: "",
  userB: "",
  sessionU: "",
  userU: "",
  positions: {} as Record<string, number>,
  times: {} as Record<string, string>,
};

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
const pause = () => new Promise((r) => setTimeout(r, 15));

beforeAll(async () => {
  svc = await startTestService();
  auditor = bearer((await createStaffKey(svc.database.knex, { name: "Audit", role: "auditor" })).key);
  ops = bearer((await createStaffKey(svc.database.knex, { name: "Ops", role: "ops" })).key);

  const browserA = randomUUID();
  const a = await svc.post(
    "/api/oss-chat/start",
    { browser_uuid: browserA, topic: "Izin usaha" },
    { "user-agent": "widget-a/1.0" },
  );
  world.sessionA = a.body.session_id;
  world.userA = a.body.chat_user_id;
  const set = await svc.post(
    "/api/oss-chat/contact",
    { session_id: world.sessionA, contact_name: "Budi", contact_email: "budi@example.com" },
    asBrowser(browserA),
  );
  world.positions.contactSet = set.body.position;
  await pause();
  world.times.afterSet = new Date().toISOString();
  await pause();
  await svc.post(
    "/api/oss-chat/contact",
    { session_id: world.sessionA, contact_name: "Budi Santoso", contact_email: "budi@example.com" },
    asBrowser(browserA),
  );

  const ossUser = `OSS-${randomUUID()}`;
  const ossToken = await asOssUser(ossUser, "u@example.com");
  const u = await svc.post(
    "/api/oss-chat/start",
    { oss_user_id: ossUser, email: "u@example.com", topic: "Lokasi" },
    ossToken,
  );
  world.sessionU = u.body.session_id;
  world.userU = u.body.chat_user_id;
  const browserB = randomUUID();
  const b = await svc.post("/api/oss-chat/start", { browser_uuid: browserB, topic: "NIB" });
  world.sessionB = b.body.session_id;
  world.userB = b.body.chat_user_id;
  await pause();
  world.times.beforeMerge = new Date().toISOString();
  await pause();
  const merge = await svc.post(
    "/api/oss-chat/link-user",
    { browser_uuid: browserB, oss_user_id: ossUser, email: "u@example.com" },
    ossToken,
  );
  expect(merge.body.merged).toBe(true);
  world.positions.merge = merge.body.position;
});
afterAll(async () => svc.stop());

describe("audit read API", () => {
  test("needs an auditor key: 401 without a staff key, 403 with another role", async () => {
    expect((await svc.get(`/api/audit/sessions/${world.sessionA}/events`)).status).toBe(401);
    expect((await svc.get(`/api/audit/sessions/${world.sessionA}/events`, ops)).status).toBe(403);
    expect((await svc.get("/api/audit/verify", ops)).status).toBe(403);
  });

  test("a session's events as recorded: type, version, data, metadata, revision, position and hash", async () => {
    const res = await svc.get(`/api/audit/sessions/${world.sessionA}/events`, auditor);
    expect(res.status).toBe(200);
    expect(res.body.next).toBeNull();
    const events = res.body.events;
    expect(events.map((e: any) => e.type)).toEqual([
      "ChatSessionStarted",
      "ChatSessionContactSet",
      "ChatSessionContactUpdated",
    ]);
    expect(events.map((e: any) => e.stream_revision)).toEqual([0, 1, 2]);
    expect(events[0]).toMatchObject({
      stream_id: `chatSession-${world.sessionA}`,
      schema_version: 2,
      data: { session_id: world.sessionA, topic: "Izin usaha", channel: "web" },
      metadata: {
        actor: { kind: "anonymous" },
        ip: "127.0.0.1",
        user_agent: "widget-a/1.0",
        owner_id: world.userA,
        previous_hash: null,
      },
    });
    expect(typeof events[0].global_position).toBe("number");
    expect(events[0].metadata.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(events[1].metadata.previous_hash).toBe(events[0].metadata.hash);
    expect(Date.parse(events[0].metadata.occurred_at)).not.toBeNaN();
  });

  test("a chat user's events include those of the users merged into it", async () => {
    const res = await svc.get(`/api/audit/users/${world.userU}/events`, auditor);
    expect(res.status).toBe(200);
    expect(res.body.chat_user_ids.sort()).toEqual([world.userU, world.userB].sort());
    const streams = new Set(res.body.events.map((e: any) => e.stream_id));
    expect(streams).toContain(`chatUser-${world.userB}`);
    expect(streams).toContain(`chatSession-${world.sessionB}`);
    expect(streams).toContain(`chatSession-${world.sessionU}`);
    expect(streams).not.toContain(`chatSession-${world.sessionA}`);
    expect(res.body.events.map((e: any) => e.type)).toContain("ChatUserMergedInto");
  });

  test("the global log pages with its cursor and exports the same events as NDJSON", async () => {
    const all = (await svc.get("/api/audit/events?limit=1000", auditor)).body.events;
    expect(all.length).toBeGreaterThan(8);
    const paged: any[] = [];
    let next: string | null = null;
    do {
      const res: any = await svc.get(`/api/audit/events?limit=3${next ? `&after=${next}` : ""}`, auditor);
      paged.push(...res.body.events);
      next = res.body.next;
    } while (next !== null);
    expect(paged.map((e) => e.event_id)).toEqual(all.map((e: any) => e.event_id));

    const ndjson = await fetch(`${svc.url}/api/audit/events?format=ndjson`, { headers: auditor });
    expect(ndjson.headers.get("content-type")).toMatch(/application\/x-ndjson/);
    const lines = (await ndjson.text())
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.map((e) => e.event_id)).toEqual(all.map((e: any) => e.event_id));
  });

  test("the global log by position range and by time range", async () => {
    const from = world.positions.contactSet as number;
    const byPos = (await svc.get(`/api/audit/events?from_position=${from}&to_position=${from + 1}`, auditor))
      .body;
    expect(byPos.events.map((e: any) => e.global_position).sort()).toEqual([from, from + 1]);
    const byTime = (
      await svc.get(
        `/api/audit/events?from_time=${world.times.afterSet}&to_time=${world.times.beforeMerge}`,
        auditor,
      )
    ).body;
    const types = byTime.events.map((e: any) => e.type);
    expect(types).toContain("ChatSessionContactUpdated");
    expect(types).not.toContain("ChatSessionContactSet");
    expect(types).not.toContain("ChatUserMergedInto");
  });

  test("bad input is a 400 naming the field", async () => {
    const cases: [string, string][] = [
      ["/api/audit/events?limit=0", "limit"],
      ["/api/audit/events?from_time=yesterday", "from_time"],
      ["/api/audit/events?after=abc", "after"],
      ["/api/audit/events?from_position=9&to_position=3", "to_position"],
      ["/api/audit/sessions/not-a-uuid/events", "id"],
      [`/api/audit/sessions/${world.sessionA}/state`, "at"],
      [`/api/audit/sessions/${world.sessionA}/state?position=999999999`, "position"],
    ];
    for (const [url, field] of cases) {
      const res = await svc.get(url, auditor);
      expect({ url, status: res.status }).toEqual({ url, status: 400 });
      expect(res.body.details.map((d: any) => d.field)).toContain(field);
    }
  });
});

describe("point in time", () => {
  test("a session as of a time and as of a position, folded by the projections' code", async () => {
    const atSet = await svc.get(
      `/api/audit/sessions/${world.sessionA}/state?position=${world.positions.contactSet}`,
      auditor,
    );
    expect(atSet.status).toBe(200);
    expect(atSet.body.contact).toMatchObject({ contact_name: "Budi" });
    expect(atSet.body.session).toMatchObject({ id: world.sessionA, channel: "web", status: "waiting" });
    expect(atSet.body.chat_user).toMatchObject({ id: world.userA, is_anonymous: true });

    const byTime = await svc.get(
      `/api/audit/sessions/${world.sessionA}/state?at=${world.times.afterSet}`,
      auditor,
    );
    expect(byTime.body.contact.contact_name).toBe("Budi");
    const now = await svc.get(
      `/api/audit/sessions/${world.sessionA}/state?at=${new Date().toISOString()}`,
      auditor,
    );
    expect(now.body.contact.contact_name).toBe("Budi Santoso");

    const before = await svc.get(
      `/api/audit/sessions/${world.sessionA}/state?at=2000-01-01T00:00:00Z`,
      auditor,
    );
    expect(before.status).toBe(404);
  });

  test("a chat user before and after another user was merged into it", async () => {
    const before = await svc.get(
      `/api/audit/users/${world.userU}/state?at=${world.times.beforeMerge}`,
      auditor,
    );
    expect(before.status).toBe(200);
    expect(before.body.sessions.map((s: any) => s.id)).toEqual([world.sessionU]);
    const after = await svc.get(
      `/api/audit/users/${world.userU}/state?position=${world.positions.merge}`,
      auditor,
    );
    expect(after.body.sessions.map((s: any) => s.id).sort()).toEqual([world.sessionU, world.sessionB].sort());
    const merged = await svc.get(
      `/api/audit/users/${world.userB}/state?position=${world.positions.merge}`,
      auditor,
    );
    expect(merged.body.chat_user).toMatchObject({ merged_into_chat_user_id: world.userU });
  });
});

describe("tamper evidence", () => {
  test("verify passes on the log as written, then names an event altered directly in Postgres", async () => {
    const clean = await svc.get("/api/audit/verify", auditor);
    expect(clean.status).toBe(200);
    expect(clean.body).toMatchObject({ ok: true, unchained: 0, broken: [] });
    expect(clean.body.events).toBeGreaterThan(8);

    const knex = svc.database.knex;
    const stream = `chatSession-${world.sessionA}`;
    const target = await knex.table("events").where({ stream_id: stream, stream_revision: 1 }).first();
    await knex.raw("ALTER TABLE events DISABLE TRIGGER events_immutable");
    await knex
      .table("events")
      .where({ event_id: target.event_id })
      .update({ data: knex.raw(`jsonb_set(data, '{contact_name}', '"Mallory"')`) });
    await knex.raw("ALTER TABLE events ENABLE TRIGGER events_immutable");

    const tampered = await svc.get("/api/audit/verify", auditor);
    expect(tampered.body.ok).toBe(false);
    expect(tampered.body.broken).toEqual([
      {
        stream_id: stream,
        stream_revision: 1,
        event_id: target.event_id,
        global_position: Number(target.global_position),
        reason: "stored event does not match its hash (altered)",
      },
    ]);
    const other = await svc.get(`/api/audit/verify?stream=chatSession-${world.sessionB}`, auditor);
    expect(other.body).toMatchObject({ ok: true, streams: 1 });

    // The CLI says the same and fails.
    const cli = await promisify(execFile)(
      path.join(root, "node_modules/.bin/tsx"),
      ["src/cli.ts", "audit", "verify"],
      {
        cwd: root,
        env: { ...process.env, DATABASE_URL: svc.db.url, LOG_LEVEL: "silent" },
      },
    ).then(
      () => ({ code: 0, stderr: "" }),
      (err: { code: number; stderr: string }) => err,
    );
    expect(cli.code).toBe(1);
    expect(cli.stderr).toContain(`BROKEN ${stream} revision 1 (event ${target.event_id}`);
  });
});
