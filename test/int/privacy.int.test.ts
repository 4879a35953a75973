import { randomUUID } from "node:crypto";
import { createStaffKey } from "../../src/auth/staffKeys";
import { rebuildReadModel } from "../../src/ops/rebuild";
import { ERASED } from "../../src/privacy/fieldCipher";
import { asBrowser, asOssUser } from "../support/identity";
import { everythingStored, leaked } from "../support/privacy";
import { waitFor } from "../support/readModel";
import { startTestService, type TestService } from "../support/testService";

let svc: TestService;
let privacy: Record<string, string>;
let auditor: Record<string, string>;
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

/** A person who chats anonymously, gives contact details, logs in (merging their browser) and chats again. */
async function person(tag: string) {
  const values = {
    name: `Siti Rahma ${tag}`,
    email: `siti.${tag}@example.co.id`,
    phone: `+62812${String(Math.floor(1_000_000 + Math.random() * 8_999_999))}`,
    position: `Direktur ${tag}`,
    company: `CV Sejahtera ${tag}`,
    userAgent: `widget-${tag}/1.0`,
    ossEmail: `pemohon.${tag}@example.co.id`,
    message: `Halo, NIB saya untuk ${tag} ${randomUUID().slice(0, 8)}`,
    rating: `Pelayanan cepat ${tag} ${randomUUID().slice(0, 8)}`,
  };
  const browser = randomUUID();
  const ossUser = `OSS-${randomUUID()}`;
  const oss = await asOssUser(ossUser, values.ossEmail);
  const anon = await svc.post(
    "/api/oss-chat/start",
    { browser_uuid: browser, topic: "Izin usaha" },
    { ...asBrowser(browser), "user-agent": values.userAgent },
  );
  const contact = await svc.post(
    "/api/oss-chat/contact",
    {
      session_id: anon.body.session_id,
      contact_name: values.name,
      contact_email: values.email,
      contact_phone: values.phone,
      position: values.position,
      company_name: values.company,
    },
    { ...asBrowser(browser), "user-agent": values.userAgent },
  );
  const logged = await svc.post(
    "/api/oss-chat/start",
    { oss_user_id: ossUser, topic: "NIB" },
    { ...oss, "user-agent": values.userAgent },
  );
  const link = await svc.post(
    "/api/oss-chat/link-user",
    { browser_uuid: browser },
    { ...oss, ...asBrowser(browser) },
  );
  const message = await svc.post(
    "/api/oss-chat/message",
    { session_id: logged.body.session_id, body: values.message },
    oss,
  );
  const closed = await svc.post(`/api/oss-chat/session/${logged.body.session_id}/close`, {}, oss);
  const rated = await svc.post(
    `/api/oss-chat/session/${logged.body.session_id}/rating`,
    { score: 5, comment: values.rating },
    oss,
  );
  expect([anon.status, contact.status, logged.status, link.status]).toEqual([201, 201, 201, 200]);
  expect([message.status, closed.status, rated.status]).toEqual([201, 200, 201]);
  expect(link.body.merged).toBe(true);
  await waitFor(async () => {
    const row = await svc.database.knex.table("chat_sessions").where("id", anon.body.session_id).first();
    const loggedRow = await svc.database.knex
      .table("chat_sessions")
      .where("id", logged.body.session_id)
      .first();
    return row?.chat_user_id === logged.body.chat_user_id && loggedRow?.rating_comment === values.rating;
  });
  return {
    values,
    sent: Object.values(values),
    browser,
    oss,
    chatUserId: logged.body.chat_user_id as string,
    anonUserId: anon.body.chat_user_id as string,
    anonSession: anon.body.session_id as string,
    contactPosition: contact.body.position as number,
  };
}

beforeAll(async () => {
  svc = await startTestService();
  privacy = bearer((await createStaffKey(svc.database.knex, { name: "DPO", role: "privacy" })).key);
  auditor = bearer((await createStaffKey(svc.database.knex, { name: "Audit", role: "auditor" })).key);
});
afterAll(async () => svc.stop());

describe("personal data at rest", () => {
  test("the log stores personal fields sealed; reads open them", async () => {
    const p = await person("sealed1");
    const rows = await svc.database.knex
      .table("events")
      .select(svc.database.knex.raw("data::text || metadata::text AS t"));
    const log = rows.map((r: { t: string }) => r.t).join("\n");
    expect(leaked(log, p.sent)).toEqual([]);
    expect(log).toContain("pii:v2:");
    const [started] = await svc.database.store.readStream(`chatSession-${p.anonSession}`);
    expect(started?.metadata.user_agent).toBe(p.values.userAgent);
  });
});

describe("export", () => {
  test("needs a privacy key: 401 without a staff key, 403 with another role, 404 for no one", async () => {
    const id = randomUUID();
    expect((await svc.get(`/api/admin/data-subjects/${id}/export`)).status).toBe(401);
    expect((await svc.get(`/api/admin/data-subjects/${id}/export`, auditor)).status).toBe(403);
    expect((await svc.get(`/api/admin/data-subjects/${id}/export`, privacy)).status).toBe(404);
    const bad = await svc.get("/api/admin/data-subjects/not-a-uuid/export", privacy);
    expect(bad.status).toBe(400);
    expect(bad.body.details[0].field).toBe("chat_user_id");
  });

  test("holds every value the person sent: users, sessions, contacts, and where each request came from", async () => {
    const p = await person("export1");
    const res = await svc.get(`/api/admin/data-subjects/${p.chatUserId}/export`, privacy);
    expect(res.status).toBe(200);
    const text = JSON.stringify(res.body);
    expect(leaked(text, p.sent).sort()).toEqual([...p.sent].sort());
    expect(res.body.chat_user_ids.sort()).toEqual([p.chatUserId, p.anonUserId].sort());
    expect(res.body.chat_users).toHaveLength(2);
    expect(res.body.sessions).toHaveLength(2);
    const anonSession = res.body.sessions.find((s: { id: string }) => s.id === p.anonSession);
    expect(anonSession.chat_session_contacts[0]).toMatchObject({ contact_name: p.values.name });
    expect(res.body.events.map((e: { type: string }) => e.type)).toEqual(
      expect.arrayContaining(["ChatUserRegistered", "ChatSessionContactSet", "ChatUserMergedInto"]),
    );
    expect(res.body.events.every((e: { ip: string }) => e.ip === "127.0.0.1")).toBe(true);

    const mine = await svc.get("/api/oss-chat/me/export", p.oss);
    expect(mine.status).toBe(200);
    expect(mine.body.chat_user_id).toBe(p.chatUserId);
    expect(leaked(JSON.stringify(mine.body), p.sent).sort()).toEqual([...p.sent].sort());
    expect((await svc.get("/api/oss-chat/me/export")).status).toBe(401);
  });
});

describe("erasure", () => {
  test("is refused without the privacy role and names a bad field", async () => {
    const id = randomUUID();
    const body = { reason: "data_subject_request" };
    expect((await svc.post(`/api/admin/data-subjects/${id}/erase`, body)).status).toBe(401);
    expect((await svc.post(`/api/admin/data-subjects/${id}/erase`, body, auditor)).status).toBe(403);
    expect((await svc.post(`/api/admin/data-subjects/${id}/erase`, body, privacy)).status).toBe(404);
    const bad = await svc.post(`/api/admin/data-subjects/${id}/erase`, { reason: "because" }, privacy);
    expect(bad.status).toBe(400);
    expect(bad.body.details[0].field).toBe("reason");
    const prose = await svc.post(
      `/api/admin/data-subjects/${id}/erase`,
      { reason: "other", reference: "Siti asked by phone" },
      privacy,
    );
    expect(prose.status).toBe(400);
    expect(prose.body.details[0].field).toBe("reference");
  });

  test("shreds everywhere: tables, reads, export, point-in-time, rebuild; the chain still verifies", async () => {
    const p = await person("erase1");
    const bystander = await person("keep1");
    const res = await svc.post(
      `/api/admin/data-subjects/${p.chatUserId}/erase`,
      { reason: "data_subject_request", reference: "PDP-2025-0042" },
      privacy,
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ chat_user_id: p.chatUserId, erased: true });
    expect(res.body.erased_chat_user_ids.sort()).toEqual([p.chatUserId, p.anonUserId].sort());
    expect(res.body.keys_destroyed).toBeGreaterThan(0);

    // Again: a no-op that still answers 200.
    const again = await svc.post(
      `/api/admin/data-subjects/${p.chatUserId}/erase`,
      { reason: "other" },
      privacy,
    );
    expect(again.status).toBe(200);
    expect(again.body.erased).toBe(false);

    // The record names who and why, and nothing about the person.
    const [erasedEvent] = (await svc.database.store.readStream(`chatUser-${p.chatUserId}`)).filter(
      (e) => e.type === "ChatUserErased",
    );
    expect(erasedEvent?.data).toMatchObject({ reason: "data_subject_request", reference: "PDP-2025-0042" });
    expect(erasedEvent?.data).toMatchObject({ erased_by: { kind: "staff" } });

    // Nothing stored anywhere holds their plaintext; the bystander's data is untouched.
    await new Promise((r) => setTimeout(r, 500));
    const all = await everythingStored(svc.database.knex);
    for (const v of leaked(all, p.sent))
      console.log(
        v,
        all.split("\n").filter((l) => l.includes(v)),
      );
    await waitFor(async () => leaked(await everythingStored(svc.database.knex), p.sent).length === 0);
    expect(leaked(await everythingStored(svc.database.knex), bystander.sent).length).toBeGreaterThan(0);

    // The visitor's own reads answer 200, with the fields shown as erased.
    const history = await svc.get("/api/oss-chat/history", p.oss);
    expect(history.status).toBe(200);
    const withContact = history.body.sessions.find(
      (s: { session_id: string }) => s.session_id === p.anonSession,
    );
    expect(withContact.contact).toMatchObject({ contact_name: ERASED, contact_email: ERASED });
    const session = await svc.get(`/api/oss-chat/session/${p.anonSession}`, p.oss);
    expect(session.status).toBe(200);
    expect(JSON.stringify(session.body)).toContain(ERASED);

    // Export (admin and the subject's own) answers 200 with "[erased]" and none of the values.
    for (const exported of [
      await svc.get(`/api/admin/data-subjects/${p.chatUserId}/export`, privacy),
      await svc.get("/api/oss-chat/me/export", p.oss),
    ]) {
      expect(exported.status).toBe(200);
      expect(leaked(JSON.stringify(exported.body), p.sent)).toEqual([]);
      expect(JSON.stringify(exported.body)).toContain(ERASED);
    }

    // Point in time: as of the moment the contact was set, the fields read "[erased]".
    const pit = await svc.get(
      `/api/audit/sessions/${p.anonSession}/state?position=${p.contactPosition}`,
      auditor,
    );
    expect(pit.status).toBe(200);
    expect(pit.body.contact).toMatchObject({ contact_name: ERASED, contact_phone: ERASED });
    expect(leaked(JSON.stringify(pit.body), p.sent)).toEqual([]);
    const events = await svc.get(`/api/audit/users/${p.chatUserId}/events?limit=1000`, auditor);
    expect(leaked(JSON.stringify(events.body), p.sent)).toEqual([]);

    // The chain covers the sealed bytes, which did not change: it still verifies.
    const verify = await svc.get("/api/audit/verify", auditor);
    expect(verify.body).toMatchObject({ ok: true, broken: [] });

    // A rebuild from the log alone shows "[erased]" and keeps the bystander.
    await rebuildReadModel({ knex: svc.database.knex, store: svc.database.store });
    const contact = await svc.database.knex
      .table("chat_session_contacts")
      .where("session_id", p.anonSession)
      .first();
    expect(contact).toMatchObject({ contact_name: ERASED, contact_email: ERASED, position: ERASED });
    const users = await svc.database.knex.table("chat_users").whereIn("id", [p.chatUserId, p.anonUserId]);
    for (const u of users) expect(u).toMatchObject({ ip_address: ERASED, user_agent: ERASED });
    expect(leaked(await everythingStored(svc.database.knex), p.sent)).toEqual([]);
    const kept = await svc.database.knex
      .table("chat_session_contacts")
      .where("session_id", bystander.anonSession)
      .first();
    expect(kept.contact_name).toBe(bystander.values.name);
  });

  test("closes the subject's waiting and active chats, as system events: none stays in the agents' queue", async () => {
    const p = await person("open1");
    const agent = bearer((await createStaffKey(svc.database.knex, { name: "Agen", role: "agent" })).key);
    // One chat waiting (p.anonSession), one an agent holds.
    const held = await svc.post("/api/oss-chat/start", { topic: "Lagi" }, p.oss);
    const claimed = await svc.post(`/api/agent/sessions/${held.body.session_id}/claim`, {}, agent);
    expect(claimed.status).toBe(200);
    const queued = await svc.get(`/api/agent/queue?min_position=${claimed.body.position}`, agent);
    expect(queued.body.sessions.map((s: { session_id: string }) => s.session_id)).toContain(p.anonSession);

    const res = await svc.post(
      `/api/admin/data-subjects/${p.chatUserId}/erase`,
      { reason: "other" },
      privacy,
    );
    expect(res.status).toBe(200);
    expect(res.body.sessions_closed).toBe(2);
    for (const session of [p.anonSession, held.body.session_id as string]) {
      const last = (await svc.database.store.readStream(`chatSession-${session}`)).at(-1);
      expect(last?.type).toBe("ChatSessionClosed");
      expect(last?.data).toMatchObject({ closed_by_kind: "system", closed_by_id: "erasure" });
      expect(last?.metadata).toMatchObject({ actor: { kind: "system", id: "erasure" }, user_agent: null });
    }
    const queue = await svc.get(`/api/agent/queue?min_position=${res.body.position}`, agent);
    await waitFor(async () => {
      const rows = await svc.database.knex
        .table("chat_sessions")
        .whereIn("id", [p.anonSession, held.body.session_id])
        .select("status");
      return rows.every((r) => r.status === "closed");
    });
    expect(queue.status).toBe(200);
    const after = await svc.get("/api/agent/queue", agent);
    expect(after.body.sessions.map((s: { session_id: string }) => s.session_id)).not.toContain(p.anonSession);
    // Claim is a conflict (closed), close answers as for any closed chat: no more 410.
    const claim = await svc.post(`/api/agent/sessions/${p.anonSession}/claim`, {}, agent);
    expect([claim.status, claim.body.code]).toEqual([409, "chat_session_closed"]);
    expect((await svc.post(`/api/agent/sessions/${held.body.session_id}/close`, {}, agent)).status).toBe(200);
    // Erasing again closes nothing more.
    const again = await svc.post(
      `/api/admin/data-subjects/${p.chatUserId}/erase`,
      { reason: "other" },
      privacy,
    );
    expect(again.body).toMatchObject({ erased: false, sessions_closed: 0 });
  });

  test("a write racing the erasure is refused or sealed with a key already gone: it never leaks", async () => {
    const p = await person("race1");
    const written = Array.from({ length: 16 }, (_, i) => `Nama Balapan ${i} ${randomUUID().slice(0, 6)}`);
    const writes = written.map((name) =>
      svc.post(
        "/api/oss-chat/contact",
        { session_id: p.anonSession, contact_name: name, contact_email: "race@example.co.id" },
        p.oss,
      ),
    );
    const erase = svc.post(`/api/admin/data-subjects/${p.chatUserId}/erase`, { reason: "other" }, privacy);
    const statuses = (await Promise.all(writes)).map((r) => r.status);
    expect((await erase).status).toBe(200);
    for (const s of statuses) expect([200, 201, 410]).toContain(s);

    // After the erasure every write is refused (410), and no key for them is ever made again.
    const after = await svc.post(
      "/api/oss-chat/contact",
      { session_id: p.anonSession, contact_name: "Sesudah Hapus", contact_email: "after@example.co.id" },
      p.oss,
    );
    expect(after.status).toBe(410);
    const keys = await svc.database.knex
      .table("pii_keys")
      .whereIn("subject_id", [p.chatUserId, p.anonUserId]);
    expect(keys).toEqual([]);

    const sent = [...p.sent, ...written, "race@example.co.id", "Sesudah Hapus"];
    await waitFor(async () => leaked(await everythingStored(svc.database.knex), sent).length === 0);
    const exported = await svc.get(`/api/admin/data-subjects/${p.chatUserId}/export`, privacy);
    expect(leaked(JSON.stringify(exported.body), sent)).toEqual([]);
    await rebuildReadModel({ knex: svc.database.knex, store: svc.database.store });
    expect(leaked(await everythingStored(svc.database.knex), sent)).toEqual([]);
  });
});
