import { randomUUID } from "node:crypto";
import { createStaffKey, revokeStaffKey } from "../../src/auth/staffKeys";
import { asBrowser, asOssUser, badTokens, bearer } from "../support/identity";
import { startTestService, type TestService } from "../support/testService";

let svc: TestService;
const owner = { browser: randomUUID(), user: `OSS-${randomUUID()}`, email: "owner@example.com" };
const other = { browser: randomUUID(), user: `OSS-${randomUUID()}`, email: "other@example.com" };
let ownerToken: Record<string, string>;
let otherToken: Record<string, string>;
let bad: Record<string, string>;
let anonSession: string; // started by owner.browser, then linked to owner.user
let userSession: string; // started by owner.user
let lastPosition = 0;

beforeAll(async () => {
  svc = await startTestService();
  ownerToken = await asOssUser(owner.user, owner.email);
  otherToken = await asOssUser(other.user, other.email);
  bad = await badTokens(owner.user, owner.email);
  const a = await svc.post("/api/oss-chat/start", { browser_uuid: owner.browser, topic: "Anonim" });
  anonSession = a.body.session_id;
  const link = await svc.post("/api/oss-chat/link-user", { browser_uuid: owner.browser }, ownerToken);
  expect(link.status).toBe(200);
  const u = await svc.post("/api/oss-chat/start", { topic: "Masuk" }, ownerToken);
  expect(u.status).toBe(201);
  userSession = u.body.session_id;
  const o = await svc.post("/api/oss-chat/start", { browser_uuid: other.browser, topic: "Lain" });
  const ol = await svc.post("/api/oss-chat/link-user", { browser_uuid: other.browser }, otherToken);
  lastPosition = Math.max(u.body.position, o.body.position, ol.body.position);
  // Positions order one stream, not the log (ordered by transaction): read each of our own writes once.
  for (const p of [a.body.position, link.body.position, u.body.position, o.body.position, ol.body.position]) {
    await svc.get(`/api/oss-chat/session/${userSession}?min_position=${p}`, ownerToken);
  }
});
afterAll(async () => svc.stop());

/** How many stored events contain a text anywhere in their data or metadata. */
async function eventsContaining(text: string): Promise<number> {
  const r = await svc.database.knex.raw(
    "select count(*)::int as n from events where strpos(data::text || metadata::text, ?) > 0",
    [text],
  );
  return r.rows[0].n;
}

async function eventCount(): Promise<number> {
  const r = await svc.database.knex.raw("select count(*)::int as n from events");
  return r.rows[0].n;
}

/** Sends a request and checks that a refused one appended nothing and answered with an error string. */
async function call(method: "GET" | "POST", path: string, body: unknown, headers: Record<string, string>) {
  const before = await eventCount();
  const res = method === "GET" ? await svc.get(path, headers) : await svc.post(path, body, headers);
  if (res.status >= 400) {
    expect(typeof res.body.error).toBe("string");
    expect(await eventCount()).toBe(before);
  }
  return res;
}

type Case = [name: string, headers: () => Record<string, string>, status: number];

const tokenCases = (): Case[] => [
  ["an expired token", () => bearer(bad.expired as string), 401],
  ["a forged token", () => bearer(bad.forged as string), 401],
  ["a tampered token", () => bearer(bad.tampered as string), 401],
  ["an unsigned (alg none) token", () => bearer(bad.unsigned as string), 401],
  ["a malformed token", () => bearer(bad.garbage as string), 401],
  ["a non-Bearer Authorization", () => ({ authorization: "Basic dXNlcjpwYXNz" }), 401],
];

describe("POST /start as a logged-in user", () => {
  const body = () => ({ oss_user_id: owner.user, email: owner.email, topic: "Halo" });
  test.each<Case>([
    ["no credential", () => ({}), 401],
    ["another owner's browser", () => asBrowser(other.browser), 401],
    ["another user's token", () => otherToken, 403],
    ...tokenCases(),
    ["a valid token", () => ownerToken, 201],
  ])("%s → %i", async (_n, headers, status) => {
    expect((await call("POST", "/api/oss-chat/start", body(), headers())).status).toBe(status);
  });
  test("sub not matching the body's oss_user_id → 403, email not matching → 403", async () => {
    const r1 = await call("POST", "/api/oss-chat/start", { ...body(), oss_user_id: other.user }, ownerToken);
    expect(r1.status).toBe(403);
    expect(r1.body.code).toBe("oss_user_mismatch");
    const r2 = await call("POST", "/api/oss-chat/start", { ...body(), email: "x@example.com" }, ownerToken);
    expect(r2.status).toBe(403);
    expect(r2.body.code).toBe("email_mismatch");
  });
  test("the token alone starts a logged-in chat as its user, recorded as that actor without the token", async () => {
    const r = await call("POST", "/api/oss-chat/start", { topic: "Hanya token" }, ownerToken);
    expect(r.status).toBe(201);
    const [event] = await svc.database.store.readStream(`chatSession-${r.body.session_id}`);
    expect(event?.metadata.actor).toEqual({ kind: "oss_user", id: owner.user });
    const token = (ownerToken.authorization as string).slice(7);
    expect(await eventsContaining(token.split(".")[2] as string)).toBe(0);
  });
  test("anonymous start needs no credential", async () => {
    const r = await call("POST", "/api/oss-chat/start", { browser_uuid: randomUUID(), topic: "Anon" }, {});
    expect(r.status).toBe(201);
  });
});

describe("POST /link-user", () => {
  const body = () => ({ browser_uuid: owner.browser, oss_user_id: owner.user, email: owner.email });
  test.each<Case>([
    ["no credential", () => ({}), 401],
    ["another owner's browser", () => asBrowser(other.browser), 401],
    ["another user's token", () => otherToken, 403],
    ...tokenCases(),
    ["a valid token", () => ownerToken, 200],
  ])("%s → %i", async (_n, headers, status) => {
    expect((await call("POST", "/api/oss-chat/link-user", body(), headers())).status).toBe(status);
  });
  test("sub not matching the body → 403", async () => {
    const r = await call(
      "POST",
      "/api/oss-chat/link-user",
      { ...body(), oss_user_id: other.user },
      ownerToken,
    );
    expect(r.status).toBe(403);
  });
});

describe("POST /contact", () => {
  const body = (session_id: string) => ({
    session_id,
    contact_name: "Siti",
    contact_email: "siti@example.com",
  });
  test.each<Case>([
    ["no credential", () => ({}), 401],
    ["another owner's browser", () => asBrowser(other.browser), 404],
    ["another user's token", () => otherToken, 404],
    ...tokenCases(),
    ["the owner's browser", () => asBrowser(owner.browser), 201],
  ])("on an anonymous session: %s → %i", async (_n, headers, status) => {
    const s = await svc.post("/api/oss-chat/start", { browser_uuid: owner.browser, topic: "Kontak" });
    expect((await call("POST", "/api/oss-chat/contact", body(s.body.session_id), headers())).status).toBe(
      status,
    );
  });
  test("the OSS user owns sessions its browser started before linking; the token's sub is the actor", async () => {
    const r = await call("POST", "/api/oss-chat/contact", body(anonSession), ownerToken);
    expect([200, 201]).toContain(r.status);
    const events = await svc.database.store.readStream(`chatSession-${anonSession}`);
    expect(events.at(-1)?.metadata.actor).toEqual({ kind: "oss_user", id: owner.user });
  });
  test("a token whose user does not own the session, with the owner's browser id in the body, is still 404", async () => {
    const r = await call(
      "POST",
      "/api/oss-chat/contact",
      { ...body(userSession), browser_uuid: owner.browser },
      otherToken,
    );
    expect(r.status).toBe(404);
  });
  test("a non-owner is told the same as for a session that does not exist", async () => {
    const missing = await call("POST", "/api/oss-chat/contact", body(randomUUID()), asBrowser(other.browser));
    const notMine = await call("POST", "/api/oss-chat/contact", body(userSession), asBrowser(randomUUID()));
    expect(notMine.status).toBe(404);
    expect(notMine.body).toEqual(missing.body);
  });
});

describe("GET /session/:id", () => {
  const path = () => `/api/oss-chat/session/${userSession}?min_position=${lastPosition}`;
  test.each<Case>([
    ["no credential", () => ({}), 401],
    ["another owner's browser", () => asBrowser(other.browser), 404],
    ["another user's token", () => otherToken, 404],
    ...tokenCases(),
    ["the owner's token", () => ownerToken, 200],
    // Linked, the browser alone reads only what it started anonymously (test/int/linkedBrowser.int.test.ts).
    ["the browser linked to the owner", () => asBrowser(owner.browser), 404],
  ])("%s → %i", async (_n, headers, status) => {
    expect((await call("GET", path(), undefined, headers())).status).toBe(status);
  });
  test("a malformed X-Browser-UUID is a 400 naming the header", async () => {
    const r = await call("GET", path(), undefined, { "x-browser-uuid": "nope" });
    expect(r.status).toBe(400);
    expect(r.body.details[0].field).toBe("X-Browser-UUID");
  });
});

describe("GET /history", () => {
  const byUser = (u: string) =>
    `/api/oss-chat/history?oss_user_id=${encodeURIComponent(u)}&min_position=${lastPosition}`;
  test.each<Case>([
    ["no credential", () => ({}), 401],
    ["another owner's browser", () => asBrowser(other.browser), 401],
    ["another user's token", () => otherToken, 403],
    ...tokenCases(),
    ["a valid token", () => ownerToken, 200],
  ])("by oss_user_id: %s → %i", async (_n, headers, status) => {
    const r = await call("GET", byUser(owner.user), undefined, headers());
    expect(r.status).toBe(status);
    if (status === 200) expect(r.body.total).toBeGreaterThanOrEqual(2);
  });
  test("sub not matching the query's oss_user_id → 403", async () => {
    expect((await call("GET", byUser(other.user), undefined, ownerToken)).status).toBe(403);
  });
  test("by browser_uuid: only with the same X-Browser-UUID", async () => {
    const q = `/api/oss-chat/history?browser_uuid=${owner.browser}`;
    expect((await call("GET", q, undefined, {})).status).toBe(401);
    expect((await call("GET", q, undefined, asBrowser(other.browser))).status).toBe(403);
    expect((await call("GET", q, undefined, asBrowser(owner.browser))).status).toBe(200);
  });
  test("with no identity in the query it reads the caller's own", async () => {
    const mine = await call(
      "GET",
      `/api/oss-chat/history?min_position=${lastPosition}`,
      undefined,
      ownerToken,
    );
    expect(mine.status).toBe(200);
    expect(mine.body.sessions.map((s: { session_id: string }) => s.session_id)).toContain(userSession);
    const theirs = await call("GET", "/api/oss-chat/history", undefined, asBrowser(other.browser));
    expect(theirs.body.sessions.map((s: { session_id: string }) => s.session_id)).not.toContain(userSession);
  });
});

describe("staff keys", () => {
  test("an agent reads any session and history and sets contacts; auditor and ops are refused; revoked keys stop", async () => {
    const agent = await createStaffKey(svc.database.knex, { name: "Agen", role: "agent" });
    const auditor = await createStaffKey(svc.database.knex, { name: "Audit", role: "auditor" });
    const ops = await createStaffKey(svc.database.knex, { name: "Ops", role: "ops" });
    const session = `/api/oss-chat/session/${userSession}?min_position=${lastPosition}`;
    const history = `/api/oss-chat/history?oss_user_id=${encodeURIComponent(owner.user)}`;
    expect((await call("GET", session, undefined, bearer(agent.key))).status).toBe(200);
    expect((await call("GET", history, undefined, bearer(agent.key))).status).toBe(200);
    const contact = { session_id: userSession, contact_name: "Oleh agen", contact_email: "a@example.com" };
    const set = await call("POST", "/api/oss-chat/contact", contact, bearer(agent.key));
    expect([200, 201]).toContain(set.status);
    const events = await svc.database.store.readStream(`chatSession-${userSession}`);
    expect(events.at(-1)?.metadata.actor).toEqual({ kind: "staff", id: agent.id });
    expect(await eventsContaining(agent.key)).toBe(0);
    expect(await eventsContaining("lcs_")).toBe(0);
    for (const key of [auditor.key, ops.key]) {
      expect((await call("GET", session, undefined, bearer(key))).status).toBe(403);
      expect((await call("POST", "/api/oss-chat/contact", contact, bearer(key))).status).toBe(403);
    }
    await revokeStaffKey(svc.database.knex, agent.id);
    expect((await call("GET", session, undefined, bearer(agent.key))).status).toBe(401);
    expect((await call("GET", session, undefined, bearer("lcs_unknown"))).status).toBe(401);
  });
});

describe("without an identity key", () => {
  test("logged-in calls answer 401 saying so; anonymous chat works", async () => {
    const bare = await startTestService({ OSS_IDENTITY_SECRET: "" });
    try {
      const r = await bare.post("/api/oss-chat/start", { topic: "x" }, ownerToken);
      expect(r.status).toBe(401);
      expect(r.body.code).toBe("identity_not_configured");
      const named = await bare.post("/api/oss-chat/start", {
        oss_user_id: "U",
        email: "u@example.com",
        topic: "x",
      });
      expect(named.status).toBe(401);
      expect(named.body.code).toBe("identity_not_configured");
      const browser = randomUUID();
      const anon = await bare.post("/api/oss-chat/start", { browser_uuid: browser, topic: "x" });
      expect(anon.status).toBe(201);
      const c = await bare.post(
        "/api/oss-chat/contact",
        { session_id: anon.body.session_id, contact_name: "A", contact_email: "a@example.com" },
        asBrowser(browser),
      );
      expect(c.status).toBe(201);
    } finally {
      await bare.stop();
    }
  });
});
