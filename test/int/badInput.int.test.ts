import { randomUUID } from "node:crypto";
import { createStaffKey, type StaffRole } from "../../src/auth/staffKeys";
import { asBrowser, bearer } from "../support/identity";
import { startTestService, type TestService } from "../support/testService";

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService();
});
afterAll(async () => svc.stop());

async function eventCount(): Promise<number> {
  const r = await svc.database.knex.raw("select count(*)::int as n from events");
  return r.rows[0].n;
}

function expectInvalid(res: { status: number; body: any }, field: string) {
  expect(res.status).toBe(400);
  expect(res.body.code).toBe("invalid_request");
  expect(res.body.details.map((d: { field: string }) => d.field)).toContain(field);
  expect(JSON.stringify(res.body)).not.toMatch(/at .*\.ts:|SELECT|INSERT|stack/i);
}

describe("bad input gets a clear 4xx naming the field, and writes nothing", () => {
  const cases: [string, string, unknown, string][] = [
    ["start without topic", "/api/oss-chat/start", { browser_uuid: randomUUID() }, "topic"],
    [
      "start with a blank topic",
      "/api/oss-chat/start",
      { browser_uuid: randomUUID(), topic: "   " },
      "topic",
    ],
    [
      "start with a topic over 500 chars",
      "/api/oss-chat/start",
      { browser_uuid: randomUUID(), topic: "x".repeat(501) },
      "topic",
    ],
    ["start without any identity", "/api/oss-chat/start", { topic: "Halo" }, "browser_uuid"],
    [
      "start with a malformed browser_uuid",
      "/api/oss-chat/start",
      { browser_uuid: "not-a-uuid", topic: "Halo" },
      "browser_uuid",
    ],
    [
      "start with oss_user_id but no email",
      "/api/oss-chat/start",
      { oss_user_id: "U1", topic: "Halo" },
      "email",
    ],
    [
      "start with email but no oss_user_id",
      "/api/oss-chat/start",
      { email: "a@b.co", topic: "Halo" },
      "oss_user_id",
    ],
    [
      "start with a bad email",
      "/api/oss-chat/start",
      { oss_user_id: "U1", email: "nope", topic: "Halo" },
      "email",
    ],
    [
      "start with an unknown priority",
      "/api/oss-chat/start",
      { browser_uuid: randomUUID(), topic: "Halo", priority: "asap" },
      "priority",
    ],
    [
      "start with a NUL in the topic",
      "/api/oss-chat/start",
      { browser_uuid: randomUUID(), topic: "a\u0000b" },
      "topic",
    ],
    [
      "start with a topic of the wrong type",
      "/api/oss-chat/start",
      { browser_uuid: randomUUID(), topic: 42 },
      "topic",
    ],
    [
      "contact without session_id",
      "/api/oss-chat/contact",
      { contact_name: "A", contact_email: "a@b.co" },
      "session_id",
    ],
    [
      "contact without contact_name",
      "/api/oss-chat/contact",
      { session_id: randomUUID(), contact_email: "a@b.co" },
      "contact_name",
    ],
    [
      "contact with a bad email",
      "/api/oss-chat/contact",
      { session_id: randomUUID(), contact_name: "A", contact_email: "x" },
      "contact_email",
    ],
    [
      "contact with a bad phone",
      "/api/oss-chat/contact",
      { session_id: randomUUID(), contact_name: "A", contact_email: "a@b.co", contact_phone: "12" },
      "contact_phone",
    ],
    [
      "link without email",
      "/api/oss-chat/link-user",
      { browser_uuid: randomUUID(), oss_user_id: "U" },
      "email",
    ],
    [
      "link with a malformed browser_uuid",
      "/api/oss-chat/link-user",
      { browser_uuid: "x", oss_user_id: "U", email: "a@b.co" },
      "browser_uuid",
    ],
    ["a JSON array body", "/api/oss-chat/start", [1, 2], "body"],
  ];
  test.each(cases)("%s", async (_name, path, body, field) => {
    const before = await eventCount();
    expectInvalid(await svc.post(path, body), field);
    expect(await eventCount()).toBe(before);
  });

  test("malformed JSON is a 400 in the same shape", async () => {
    const res = await svc.post("/api/oss-chat/start", '{"topic": "unterminated');
    expectInvalid(res, "body");
  });

  test("a body over 64 kB is a 413", async () => {
    const res = await svc.post("/api/oss-chat/start", {
      browser_uuid: randomUUID(),
      topic: "x",
      user_agent: "y".repeat(70 * 1024),
    });
    expect(res.status).toBe(413);
    expect(typeof res.body.error).toBe("string");
  });

  test("queries validate their parameters", async () => {
    expectInvalid(await svc.get("/api/oss-chat/history"), "oss_user_id");
    expectInvalid(
      await svc.get(`/api/oss-chat/history?browser_uuid=${randomUUID()}&oss_user_id=U`),
      "oss_user_id",
    );
    expectInvalid(await svc.get(`/api/oss-chat/history?browser_uuid=${randomUUID()}&limit=101`), "limit");
    expectInvalid(await svc.get(`/api/oss-chat/history?browser_uuid=${randomUUID()}&limit=abc`), "limit");
    expectInvalid(await svc.get(`/api/oss-chat/history?browser_uuid=${randomUUID()}&offset=-1`), "offset");
    expectInvalid(await svc.get("/api/oss-chat/session/not-a-uuid"), "id");
  });

  test("NUL or a lone surrogate in any query or body field is 400 naming the field, on every route", async () => {
    const key = async (role: StaffRole) =>
      bearer((await createStaffKey(svc.database.knex, { name: role, role })).key);
    const agent = await key("agent");
    const auditor = await key("auditor");
    const ops = await key("ops");
    const privacy = await key("privacy");
    const browser = randomUUID();
    const started = await svc.post("/api/oss-chat/start", { browser_uuid: browser, topic: "x" });
    const session = started.body.session_id as string;
    const visitor = asBrowser(browser);
    const gets: [string, Record<string, string>, string][] = [
      ["/api/audit/verify?stream=%00", auditor, "stream"],
      ["/api/audit/verify?stream=chatSession-%00", auditor, "stream"],
      ["/api/audit/events?after=1.1%00", auditor, "after"],
      [`/api/audit/sessions/${session}/state?at=2024-01-01T00:00:00Z%00`, auditor, "at"],
      ["/api/oss-chat/history?oss_user_id=a%00b", visitor, "oss_user_id"],
      [`/api/oss-chat/history?browser_uuid=${browser}&limit=1%00`, visitor, "limit"],
      [`/api/oss-chat/session/${session}/messages?after_seq=%00`, visitor, "after_seq"],
      [`/api/agent/sessions?status=active%00`, agent, "status"],
      [`/api/admin/webhooks/dead-letters?endpoint_id=%00`, ops, "endpoint_id"],
      [`/api/oss-chat/history?browser_uuid=${browser}&x%00y=1`, visitor, "x\\u0000y"],
    ];
    for (const [path, headers, field] of gets) {
      const res = await svc.get(path, headers);
      expect([path, res.status]).toEqual([path, 400]);
      expectInvalid(res, field);
    }
    const before = await eventCount();
    const posts: [string, unknown, Record<string, string>, string][] = [
      [
        "/api/oss-chat/start",
        { browser_uuid: browser, topic: "ok", user_agent: "a\u0000" },
        {},
        "user_agent",
      ],
      [
        "/api/oss-chat/start",
        { browser_uuid: browser, topic: "ok", extra: { deep: ["\u0000"] } },
        {},
        "extra.deep.0",
      ],
      ["/api/oss-chat/message", { session_id: session, body: "lone \ud800" }, visitor, "body"],
      [`/api/oss-chat/session/${session}/rating`, { score: 5, comment: "\u0000" }, visitor, "comment"],
      [`/api/agent/sessions/${session}/transfer`, { to_agent_id: "\u0000" }, agent, "to_agent_id"],
      [
        "/api/admin/webhooks",
        { url: "https://example.com/\u0000", event_types: ["ChatSessionStarted"] },
        ops,
        "url",
      ],
      [
        "/api/admin/webhooks",
        { url: "https://example.com/", event_types: ["ChatSessionStarted"], description: "\udfff" },
        ops,
        "description",
      ],
      [
        `/api/admin/data-subjects/${randomUUID()}/erase`,
        { reason: "data_subject_request", reference: "\u0000" },
        privacy,
        "reference",
      ],
    ];
    for (const [path, body, headers, field] of posts) {
      const res = await svc.post(path, body, headers);
      expect([path, res.status]).toEqual([path, 400]);
      expectInvalid(res, field);
    }
    expect(await eventCount()).toBe(before);
  });

  test("an unknown session is a 404, for reading and for setting its contact", async () => {
    const browser = asBrowser(randomUUID());
    const read = await svc.get(`/api/oss-chat/session/${randomUUID()}`, browser);
    expect(read.status).toBe(404);
    expect(typeof read.body.error).toBe("string");
    const before = await eventCount();
    const contact = await svc.post(
      "/api/oss-chat/contact",
      { session_id: randomUUID(), contact_name: "A", contact_email: "a@b.co" },
      browser,
    );
    expect(contact.status).toBe(404);
    expect(await eventCount()).toBe(before);
  });

  test("an unknown route is a 404 with an error body", async () => {
    const res = await svc.get("/api/oss-chat/nothing-here");
    expect(res.status).toBe(404);
    expect(res.body.code).toBe("not_found");
  });

  test("stored text reads back byte for byte", async () => {
    const topic = "Izin 🏢 <script>alert(1)</script> '; DROP TABLE chat_users; -- \u200b\t\n";
    const browser = randomUUID();
    const r = await svc.post("/api/oss-chat/start", { browser_uuid: browser, topic });
    expect(r.status).toBe(201);
    const d = await svc.get(
      `/api/oss-chat/session/${r.body.session_id}?min_position=${r.body.position}`,
      asBrowser(browser),
    );
    expect(d.body.topic).toBe(topic);
  });
});
