import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import path from "node:path";
import { promisify } from "node:util";
import { createStaffKey } from "../../src/auth/staffKeys";
import { asBrowser, bearer } from "../support/identity";
import { startTestService, type TestService } from "../support/testService";
import { WebhookReceiver } from "../support/webhookReceiver";

let svc: TestService;
let ops: Record<string, string>;
let agent: Record<string, string>;
const receiver = new WebhookReceiver();

const FAST_RETRIES = {
  WEBHOOK_ALLOW_PRIVATE: "true",
  WEBHOOK_MAX_ATTEMPTS: "6",
  WEBHOOK_BACKOFF_BASE_MS: "100",
  WEBHOOK_BACKOFF_MAX_MS: "400",
  WEBHOOK_POLL_MS: "50",
  WEBHOOK_TIMEOUT_MS: "2000",
};

beforeAll(async () => {
  await receiver.start();
  svc = await startTestService(FAST_RETRIES, { api: true, projector: "log", webhooks: true });
  const key = (role: "ops" | "agent") => createStaffKey(svc.database.knex, { name: role, role });
  ops = bearer((await key("ops")).key);
  agent = bearer((await key("agent")).key);
});
afterAll(async () => {
  await svc.stop();
  await receiver.stop();
});

async function waitFor<T>(
  what: string,
  probe: () => Promise<T | null | false> | T | null | false,
  ms = 15_000,
) {
  const until = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== null && value !== false) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Registers an endpoint on the receiver's `path` through the admin API. */
async function register(path: string, eventTypes: string[], on = receiver): Promise<string> {
  const res = await svc.post("/api/admin/webhooks", { url: on.url(path), event_types: eventTypes }, ops);
  expect(res.status).toBe(201);
  expect(res.body.secret).toMatch(/^whsec_/);
  on.secretFor(path, res.body.secret);
  return res.body.id;
}

/** An anonymous chat with its contact set and then updated: three session events. */
async function chatWithContact() {
  const browser = randomUUID();
  const start = await svc.post("/api/oss-chat/start", { browser_uuid: browser, topic: "Rahasia pribadi" });
  const contact = {
    session_id: start.body.session_id,
    contact_name: "Budi Rahasia",
    contact_email: "budi@x.co",
  };
  await svc.post("/api/oss-chat/contact", contact, asBrowser(browser));
  await svc.post("/api/oss-chat/contact", { ...contact, contact_name: "Budi R." }, asBrowser(browser));
  return { sessionId: start.body.session_id as string, position: start.body.position as number };
}

describe("outgoing webhooks", () => {
  test("only ops register endpoints", async () => {
    const body = { url: receiver.url("/x"), event_types: ["ChatSessionStarted"] };
    expect((await svc.post("/api/admin/webhooks", body)).status).toBe(401);
    expect((await svc.post("/api/admin/webhooks", body, agent)).status).toBe(403);
    const bad = await svc.post(
      "/api/admin/webhooks",
      { url: "nope", event_types: ["OssIdentityClaimed"] },
      ops,
    );
    expect(bad.status).toBe(400);
    expect(bad.body.details.map((d: { field: string }) => d.field).sort()).toEqual(["event_types.0"]);
    const badUrl = await svc.post(
      "/api/admin/webhooks",
      { url: "nope", event_types: ["ChatSessionStarted"] },
      ops,
    );
    expect(badUrl.body.details).toEqual([
      expect.objectContaining({ field: "url", code: "field_url_absolute" }),
    ]);
  });

  test("a receiver gets every subscribed event, signed, in order per session, without personal data", async () => {
    const types = ["ChatSessionStarted", "ChatSessionContactSet", "ChatSessionContactUpdated"];
    const id = await register("/all", types);
    const chats = [await chatWithContact(), await chatWithContact(), await chatWithContact()];
    await waitFor("9 deliveries", () => receiver.on("/all").length >= 9);
    const got = receiver.on("/all");
    expect(got).toHaveLength(9);
    expect(receiver.forged).toBe(0);
    expect(new Set(got.map((m) => m.id)).size).toBe(9);
    for (const chat of chats) {
      const mine = got.filter((m) => m.body.data.session_id === chat.sessionId);
      expect(mine.map((m) => m.body.type)).toEqual(types);
      const positions = mine.map((m) => m.body.data.position as number);
      expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    }
    for (const m of got) {
      expect(m.raw).not.toMatch(/Budi|budi@|Rahasia|browser_uuid|contact_email/);
      expect(Object.keys(m.body).sort()).toEqual(["data", "timestamp", "type"]);
    }
    const listed = await svc.get("/api/admin/webhooks", ops);
    expect(listed.body.endpoints).toEqual(
      expect.arrayContaining([expect.objectContaining({ id, event_types: types, disabled_at: null })]),
    );
    expect(JSON.stringify(listed.body)).not.toMatch(/whsec_/);
  });

  test("a receiver that is down gets its events, in order, once it is back", async () => {
    const flaky = new WebhookReceiver();
    await flaky.start();
    const port = flaky.port;
    await register("/flaky", ["ChatSessionStarted", "ChatSessionContactSet"], flaky);
    await flaky.stop();
    const chat = await chatWithContact();
    const { knex } = svc.database;
    await waitFor("a failed attempt", async () => {
      const row = await knex
        .table("webhook_deliveries")
        .where({ event_type: "ChatSessionStarted" })
        .max("attempts as n")
        .first();
      return Number(row?.n) >= 2;
    });
    await flaky.start(port);
    await waitFor("both deliveries", () => flaky.on("/flaky").length >= 2);
    const got = flaky.on("/flaky");
    expect(got.map((m) => [m.body.type, m.body.data.session_id])).toEqual([
      ["ChatSessionStarted", chat.sessionId],
      ["ChatSessionContactSet", chat.sessionId],
    ]);
    const attempts = await knex
      .table("webhook_deliveries")
      .where({ id: got[0]?.id })
      .first("attempts", "status");
    expect(attempts).toMatchObject({ status: "delivered" });
    expect(attempts.attempts).toBeGreaterThanOrEqual(3); // two refused, then delivered under the same webhook-id
    await flaky.stop();
  });

  test("out of attempts: a dead letter, listed, counted, and redelivered on request", async () => {
    receiver.statusFor.set("/dead", 500);
    const id = await register("/dead", ["ChatSessionStarted"]);
    const { sessionId } = await chatWithContact();
    const dead = await waitFor("a dead letter", async () => {
      const res = await svc.get(`/api/admin/webhooks/dead-letters?endpoint_id=${id}`, ops);
      return res.body.dead_letters.length > 0 ? res.body.dead_letters : null;
    });
    expect(dead).toEqual([
      expect.objectContaining({
        endpoint_id: id,
        event_type: "ChatSessionStarted",
        attempts: 6,
        last_status: 500,
      }),
    ]);
    const metrics = await fetch(`${svc.url}/metrics`, { headers: ops }).then((r) => r.text());
    expect(metrics).toMatch(/livechat_webhook_dead_letters [1-9]/);
    expect(metrics).toMatch(/livechat_webhook_attempts_total\{outcome="dead"\} [1-9]/);
    // The API histogram labels route patterns, never raw paths with ids.
    expect(metrics).toMatch(
      /livechat_http_request_duration_seconds_count\{method="GET",route="\/api\/admin\/webhooks\/dead-letters",status="2xx"\} [1-9]/,
    );
    expect(metrics).not.toMatch(/route="[^"]*[0-9a-f]{8}-[0-9a-f]{4}/);

    receiver.statusFor.delete("/dead");
    const again = await svc.post(
      `/api/admin/webhooks/dead-letters/${dead[0].delivery_id}/redeliver`,
      {},
      ops,
    );
    expect(again.body).toEqual({ redelivered: 1 });
    await waitFor("the redelivery", () => receiver.on("/dead").length >= 1);
    expect(receiver.on("/dead")[0]?.body.data.session_id).toBe(sessionId);
    expect(receiver.on("/dead")[0]?.id).toBe(dead[0].delivery_id);
    const after = await svc.get(`/api/admin/webhooks/dead-letters?endpoint_id=${id}`, ops);
    expect(after.body.dead_letters).toEqual([]);
    const unknown = await svc.post(`/api/admin/webhooks/dead-letters/${randomUUID()}/redeliver`, {}, ops);
    expect(unknown.status).toBe(404);
  });

  test("replay from a position sends the subscribed events again, with new ids", async () => {
    const id = await register("/replay", ["ChatSessionStarted"]);
    const first = await chatWithContact();
    const second = await chatWithContact();
    await waitFor("live deliveries", () => receiver.on("/replay").length >= 2);
    const live = receiver.on("/replay").slice();
    const replayed = await svc.post(
      `/api/admin/webhooks/${id}/replay`,
      { from_position: first.position },
      ops,
    );
    expect(replayed.status).toBe(202);
    expect(replayed.body.queued).toBeGreaterThanOrEqual(2);
    await waitFor("replayed deliveries", () => receiver.on("/replay").length >= 2 + replayed.body.queued);
    const again = receiver.on("/replay").slice(live.length);
    const sessions = again.map((m) => m.body.data.session_id);
    expect(sessions).toEqual(expect.arrayContaining([first.sessionId, second.sessionId]));
    const liveIds = new Set(live.map((m) => m.id));
    expect(again.every((m) => !liveIds.has(m.id))).toBe(true);
    const byEvent = (ms: typeof live) => ms.map((m) => m.body.data.event_id).sort();
    expect(byEvent(again)).toEqual(expect.arrayContaining(byEvent(live)));

    const nowhere = await svc.post(`/api/admin/webhooks/${id}/replay`, { from_position: 999_999_999 }, ops);
    expect(nowhere.status).toBe(400);
    expect(nowhere.body.details[0].field).toBe("from_position");

    // Only a whole number ≥ 0: nothing is coerced into "the whole log".
    const queued = async () =>
      Number(
        (
          await svc.database.knex
            .table("webhook_deliveries")
            .where({ endpoint_id: id })
            .count({ n: "*" })
            .first()
        )?.n,
      );
    const before = await queued();
    for (const from_position of [null, "0", "", false, true, [], -1, 1.5, "1e3", 2 ** 53]) {
      const bad = await svc.post(`/api/admin/webhooks/${id}/replay`, { from_position }, ops);
      expect([from_position, bad.status]).toEqual([from_position, 400]);
      expect(new Set(bad.body.details.map((d: { field: string }) => d.field))).toEqual(
        new Set(["from_position"]),
      );
    }
    expect(await queued()).toBe(before);
  });

  test("a disabled endpoint receives nothing more", async () => {
    const id = await register("/off", ["ChatSessionStarted"]);
    const off = await fetch(`${svc.url}/api/admin/webhooks/${id}`, { method: "DELETE", headers: ops });
    expect(((await off.json()) as { disabled_at: string | null }).disabled_at).not.toBeNull();
    await chatWithContact();
    await register("/marker", ["ChatSessionStarted"]);
    await chatWithContact();
    await waitFor("the marker endpoint's delivery", () => receiver.on("/marker").length >= 1);
    expect(receiver.on("/off")).toEqual([]);
  });
});

describe("the CLI", () => {
  const cli = (args: string[], env: Record<string, string> = {}) =>
    promisify(execFile)(
      path.resolve(__dirname, "../../node_modules/.bin/tsx"),
      ["src/cli.ts", "webhooks", ...args],
      {
        cwd: path.resolve(__dirname, "../.."),
        env: { ...process.env, DATABASE_URL: svc.db.url, LOG_LEVEL: "silent", ...env },
      },
    );

  test("creates an endpoint that then receives events, lists endpoints, and refuses loopback by default", async () => {
    const created = await cli(
      ["create", "--url", receiver.url("/cli"), "--events", "ChatSessionStarted,ChatUserRegistered"],
      { WEBHOOK_ALLOW_PRIVATE: "true" },
    );
    const endpoint = JSON.parse(created.stdout);
    expect(endpoint).toMatchObject({ event_types: ["ChatSessionStarted", "ChatUserRegistered"] });
    receiver.secretFor("/cli", endpoint.secret);
    await chatWithContact();
    await waitFor("deliveries to the CLI's endpoint", () => receiver.on("/cli").length >= 2);
    expect(receiver.on("/cli").map((m) => m.body.type)).toEqual(["ChatUserRegistered", "ChatSessionStarted"]);
    const listed = JSON.parse((await cli(["list"])).stdout);
    expect(listed.map((e: { id: string }) => e.id)).toContain(endpoint.id);
    const refused = await cli([
      "create",
      "--url",
      receiver.url("/no"),
      "--events",
      "ChatSessionStarted",
    ]).then(
      () => null,
      (err: { code: number; stderr: string }) => err,
    );
    expect(refused?.code).toBe(2);
    expect(refused?.stderr).toMatch(/--url: must be a public address/);
  });
});

describe("the SSRF guard", () => {
  test("private, loopback and link-local targets are refused unless WEBHOOK_ALLOW_PRIVATE=true", async () => {
    const strict = await startTestService({}, { api: true, projector: false });
    try {
      const key = bearer((await createStaffKey(strict.database.knex, { name: "ops", role: "ops" })).key);
      for (const url of [
        receiver.url("/x"),
        `http://localhost:${receiver.port}/x`,
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.8/hook",
        "https://10.255.255.254/hook",
        "http://192.168.1.20/hook",
        "http://127.0.0.1:8080/hook",
        "http://[::1]:8080/hook",
        "http://[fc00::1]/hook",
        "http://[fd12:3456:789a::1]/hook",
        "http://[::ffff:192.168.0.1]/hook",
      ]) {
        const res = await strict.post(
          "/api/admin/webhooks",
          { url, event_types: ["ChatSessionStarted"] },
          key,
        );
        expect([url, res.status]).toEqual([url, 400]);
        expect(res.body.details).toEqual([
          expect.objectContaining({ field: "url", code: "field_url_not_public" }),
        ]);
      }
      expect(await strict.database.knex.table("webhook_endpoints").count({ n: "*" }).first()).toEqual({
        n: "0",
      });
    } finally {
      await strict.stop();
    }
  });
});
