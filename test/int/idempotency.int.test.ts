import { randomUUID } from "node:crypto";
import { createStaffKey } from "../../src/auth/staffKeys";
import { asBrowser, asOssUser, bearer } from "../support/identity";
import { startTestService, type TestService } from "../support/testService";

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService();
});
afterAll(async () => svc.stop());

const key = (k: string) => ({ "Idempotency-Key": k });

/** ChatSessionStarted events in the log for chats started by a browser. */
async function sessionsStartedBy(browser: string): Promise<number> {
  const r = await svc.database.knex.raw(
    `select count(*)::int as n from events
      where event_type = 'ChatSessionStarted' and metadata->'actor'->>'id' = ?`,
    [browser],
  );
  return r.rows[0].n;
}

test("a retry with the same key gets the first answer (status and body), not a second session", async () => {
  const browser = randomUUID();
  const k = randomUUID();
  const body = { browser_uuid: browser, topic: "Izin lokasi" };
  const first = await svc.post("/api/oss-chat/start", body, key(k));
  expect(first.status).toBe(201);
  expect(first.headers.get("idempotency-replayed")).toBeNull();
  const retry = await svc.post("/api/oss-chat/start", body, key(k));
  expect(retry.status).toBe(201);
  expect(retry.body).toEqual(first.body);
  expect(retry.headers.get("idempotency-replayed")).toBe("true");
  expect(await sessionsStartedBy(browser)).toBe(1);

  // Without a key, each request is a new command.
  expect((await svc.post("/api/oss-chat/start", body)).status).toBe(201);
  expect(await sessionsStartedBy(browser)).toBe(2);
});

test("10 concurrent requests with one key: exactly one runs, all get its answer", async () => {
  const browser = randomUUID();
  const k = randomUUID();
  const body = { browser_uuid: browser, topic: "Serentak" };
  const answers = await Promise.all(
    Array.from({ length: 10 }, () => svc.post("/api/oss-chat/start", body, key(k))),
  );
  expect(answers.map((a) => a.status)).toEqual(Array(10).fill(201));
  expect(new Set(answers.map((a) => a.body.session_id)).size).toBe(1);
  expect(answers.filter((a) => a.headers.get("idempotency-replayed") === "true")).toHaveLength(9);
  expect(await sessionsStartedBy(browser)).toBe(1);
});

test("the same key with another body is 422; a key that is not a UUID is 400 naming the header", async () => {
  const browser = randomUUID();
  const k = randomUUID();
  expect((await svc.post("/api/oss-chat/start", { browser_uuid: browser, topic: "A" }, key(k))).status).toBe(
    201,
  );
  const other = await svc.post("/api/oss-chat/start", { browser_uuid: browser, topic: "B" }, key(k));
  expect(other.status).toBe(422);
  expect(other.body.code).toBe("idempotency_key_reused");
  expect(typeof other.body.error).toBe("string");

  const bad = await svc.post("/api/oss-chat/start", { browser_uuid: randomUUID(), topic: "C" }, key("42"));
  expect(bad.status).toBe(400);
  expect(bad.body.details).toEqual([
    expect.objectContaining({ field: "Idempotency-Key", code: "field_uuid" }),
  ]);
  expect(await sessionsStartedBy(browser)).toBe(1);
});

test("keys are per caller and per command: another caller or another route with the same key runs", async () => {
  const k = randomUUID();
  const a = randomUUID();
  const b = randomUUID();
  const sa = await svc.post("/api/oss-chat/start", { browser_uuid: a, topic: "Sama" }, key(k));
  const sb = await svc.post("/api/oss-chat/start", { browser_uuid: b, topic: "Sama" }, key(k));
  expect(sb.status).toBe(201);
  expect(sb.body.session_id).not.toBe(sa.body.session_id);

  // SetContact and LinkUser (an OSS token) go through the same middleware.
  const contact = { session_id: sa.body.session_id, contact_name: "Budi", contact_email: "budi@example.com" };
  const c1 = await svc.post("/api/oss-chat/contact", contact, { ...asBrowser(a), ...key(randomUUID()) });
  expect(c1.status).toBe(201);
  const ck = randomUUID();
  const c2 = await svc.post(
    "/api/oss-chat/contact",
    { ...contact, contact_name: "Budi S" },
    { ...asBrowser(a), ...key(ck) },
  );
  expect(c2.status).toBe(200);
  const c3 = await svc.post(
    "/api/oss-chat/contact",
    { ...contact, contact_name: "Budi S" },
    { ...asBrowser(a), ...key(ck) },
  );
  expect(c3.status).toBe(200);
  expect(c3.body).toEqual(c2.body);

  const oss = `OSS-${randomUUID()}`;
  const token = await asOssUser(oss, "budi@example.com");
  const lk = randomUUID();
  const l1 = await svc.post("/api/oss-chat/link-user", { browser_uuid: a }, { ...token, ...key(lk) });
  const l2 = await svc.post("/api/oss-chat/link-user", { browser_uuid: a }, { ...token, ...key(lk) });
  expect(l1.status).toBe(200);
  expect(l2.body).toEqual(l1.body);
  expect(l2.headers.get("idempotency-replayed")).toBe("true");
});

test("authorization comes before idempotency: a refused caller with a used key gets 401/403, not 422", async () => {
  const agent = bearer((await createStaffKey(svc.database.knex, { name: "a", role: "agent" })).key);
  const browser = randomUUID();
  const k = randomUUID();
  const started = await svc.post("/api/oss-chat/start", { browser_uuid: browser, topic: "Kunci" }, key(k));
  expect(started.status).toBe(201);
  const session = started.body.session_id as string;
  // Each staff area, called with the key the visitor used: without a credential, with the visitor's, with a
  // staff key of another role. The key is never reached.
  const commands: [string, unknown][] = [
    [`/api/agent/sessions/${session}/claim`, {}],
    [`/api/admin/data-subjects/${randomUUID()}/erase`, { reason: "data_subject_request" }],
    ["/api/admin/webhooks", { url: "https://example.com/", event_types: ["ChatSessionStarted"] }],
  ];
  for (const [path, body] of commands) {
    const agentMay = path.startsWith("/api/agent");
    for (const [who, headers, statuses] of [
      ["nobody", {}, [401, 401]],
      ["the visitor", asBrowser(browser), [401, 401]],
      // The agent may claim: its key is kept, and the same key with another body is 422.
      ["an agent", agent, agentMay ? [200, 422] : [403, 403]],
    ] as const) {
      // Twice, the second time with another body: a kept answer would make it 422.
      const answers = [];
      for (const attempt of [body, { ...(body as object), other: 1 }])
        answers.push((await svc.post(path, attempt, { ...headers, ...key(k) })).status);
      expect([path, who, answers]).toEqual([path, who, statuses]);
    }
  }
  // A visitor route without any credential: 401 every time, whatever was sent with the key before.
  for (const text of ["a", "b"]) {
    const res = await svc.post("/api/oss-chat/message", { session_id: session, body: text }, key(k));
    expect([text, res.status]).toEqual([text, 401]);
  }
});

test("after the TTL a key is forgotten: the same request runs again", async () => {
  const browser = randomUUID();
  const k = randomUUID();
  const body = { browser_uuid: browser, topic: "Kedaluwarsa" };
  const first = await svc.post("/api/oss-chat/start", body, key(k));
  await svc.database.knex
    .table("idempotency_keys")
    .where({ key: k })
    .update({ created_at: svc.database.knex.raw("now() - interval '25 hours'") });
  const later = await svc.post("/api/oss-chat/start", body, key(k));
  expect(later.status).toBe(201);
  expect(later.body.session_id).not.toBe(first.body.session_id);
  expect(await sessionsStartedBy(browser)).toBe(2);
});
