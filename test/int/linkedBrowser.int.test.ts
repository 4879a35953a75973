import { randomUUID } from "node:crypto";
import { asBrowser, asOssUser } from "../support/identity";
import { startTestService, type TestService } from "../support/testService";

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService();
});
afterAll(async () => svc.stop());

const ids = (res: { body: { sessions: { session_id: string }[] } }) =>
  res.body.sessions.map((s) => s.session_id).sort();

async function start(body: Record<string, unknown>, headers: Record<string, string> = {}) {
  const res = await svc.post("/api/oss-chat/start", { topic: "Izin", ...body }, headers);
  expect(res.status).toBe(201);
  return res.body as { session_id: string; position: number };
}

/** Reads (as the token) until the read tables hold every position given. */
async function settle(headers: Record<string, string>, ...positions: number[]) {
  for (const p of positions) await svc.get(`/api/oss-chat/history?min_position=${p}`, headers);
}

const contact = (session_id: string) => ({
  session_id,
  contact_name: "Sari",
  contact_email: "s@example.com",
});

describe("a browser linked to an OSS account reads only what it started anonymously", () => {
  test("linked (the account had no chat user): the account's logged-in sessions need the token", async () => {
    const browser = randomUUID();
    const token = await asOssUser(`OSS-${randomUUID()}`, "a@example.com");
    const before = await start({ browser_uuid: browser });
    const link = await svc.post("/api/oss-chat/link-user", { browser_uuid: browser }, token);
    expect(link.body.merged).toBe(false);
    const loggedIn = await start({}, token);
    // Logged out again, the same browser keeps chatting anonymously.
    const after = await start({ browser_uuid: browser });
    await settle(token, before.position, link.body.position, loggedIn.position, after.position);

    const byBrowser = await svc.get("/api/oss-chat/history", asBrowser(browser));
    expect(ids(byBrowser)).toEqual([before.session_id, after.session_id].sort());
    expect(byBrowser.body.total).toBe(2);
    const byToken = await svc.get("/api/oss-chat/history", token);
    expect(ids(byToken)).toEqual([before.session_id, loggedIn.session_id, after.session_id].sort());

    const read = (id: string, headers: Record<string, string>) =>
      svc.get(`/api/oss-chat/session/${id}`, headers).then((r) => r.status);
    expect(await read(before.session_id, asBrowser(browser))).toBe(200);
    expect(await read(after.session_id, asBrowser(browser))).toBe(200);
    expect(await read(loggedIn.session_id, asBrowser(browser))).toBe(404);
    expect(await read(loggedIn.session_id, token)).toBe(200);

    // The write side holds the same rule (checked in the event store, not the read tables).
    const write = (id: string, headers: Record<string, string>) =>
      svc.post("/api/oss-chat/contact", contact(id), headers).then((r) => r.status);
    expect(await write(loggedIn.session_id, asBrowser(browser))).toBe(404);
    expect(await write(before.session_id, asBrowser(browser))).toBe(201);
    expect(await write(loggedIn.session_id, token)).toBe(201);
  });

  test("merged (the account already had a chat user): the account's own sessions need the token", async () => {
    const browser = randomUUID();
    const token = await asOssUser(`OSS-${randomUUID()}`, "b@example.com");
    const accounts = await start({}, token);
    const anonymous = await start({ browser_uuid: browser });
    const link = await svc.post("/api/oss-chat/link-user", { browser_uuid: browser }, token);
    expect(link.body.merged).toBe(true);
    await settle(token, accounts.position, anonymous.position, link.body.position);

    const byBrowser = await svc.get("/api/oss-chat/history", asBrowser(browser));
    expect(ids(byBrowser)).toEqual([anonymous.session_id]);
    const byToken = await svc.get("/api/oss-chat/history", token);
    expect(ids(byToken)).toEqual([accounts.session_id, anonymous.session_id].sort());
    expect((await svc.get(`/api/oss-chat/session/${accounts.session_id}`, asBrowser(browser))).status).toBe(
      404,
    );
    expect((await svc.get(`/api/oss-chat/session/${anonymous.session_id}`, asBrowser(browser))).status).toBe(
      200,
    );
    expect(
      (await svc.post("/api/oss-chat/contact", contact(accounts.session_id), asBrowser(browser))).status,
    ).toBe(404);
  });

  test("migration 007 fills the column for sessions recorded before it", async () => {
    const browser = randomUUID();
    const token = await asOssUser(`OSS-${randomUUID()}`, "c@example.com");
    const anonymous = await start({ browser_uuid: browser });
    const loggedIn = await start({}, token);
    await settle(token, anonymous.position, loggedIn.position);
    const { knex } = svc.database;
    await knex.table("chat_sessions").update({ anonymous_browser_uuid: null });
    const { up } = await import("../../migrations/007_session_origin");
    await up(knex);
    const rows = await knex
      .table("chat_sessions")
      .whereIn("id", [anonymous.session_id, loggedIn.session_id])
      .select("id", "anonymous_browser_uuid");
    expect(Object.fromEntries(rows.map((r) => [r.id, r.anonymous_browser_uuid]))).toEqual({
      [anonymous.session_id]: browser,
      [loggedIn.session_id]: null,
    });
  });
});
