import { randomUUID } from "node:crypto";
import { asBrowser, asOssUser } from "../support/identity";
import { startTestService, type TestService } from "../support/testService";

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService();
});
afterAll(async () => svc.stop());

const history = (query: string, headers: Record<string, string>) =>
  svc.get(`/api/oss-chat/history?${query}`, headers);

describe("health", () => {
  test("/healthz answers once up; /readyz checks the database and the event store", async () => {
    expect((await svc.get("/healthz", {})).status).toBe(200);
    const ready = await svc.get("/readyz", {});
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: "ready", database: "ok", event_store: "ok" });
  });
});

describe("the widget's whole flow over HTTP", () => {
  test("anonymous → chat → contact → login → link → history", async () => {
    const browser = randomUUID();
    const ossUser = `OSS-${randomUUID()}`;

    const start = await svc.post(
      "/api/oss-chat/start",
      { browser_uuid: browser, topic: "Pertanyaan tentang izin usaha" },
      { "user-agent": "widget/1.0" },
    );
    expect(start.status).toBe(201);
    expect(start.body).toMatchObject({
      status: "waiting",
      message: "Sesi chat berhasil dimulai",
      requires_contact: true,
    });
    expect(typeof start.body.position).toBe("number");
    const { session_id, chat_user_id } = start.body;

    const contact = await svc.post(
      "/api/oss-chat/contact",
      {
        session_id,
        contact_name: "John Doe",
        contact_email: "john@company.com",
        contact_phone: "0812-3456-7890",
        position: "Manager",
        company_name: "PT. Example",
      },
      asBrowser(browser),
    );
    expect(contact.status).toBe(201);
    expect(contact.body.created).toBe(true);

    const detail = await svc.get(
      `/api/oss-chat/session/${session_id}?min_position=${contact.body.position}`,
      asBrowser(browser),
    );
    expect(detail.status).toBe(200);
    expect(detail.body).toMatchObject({
      session_id,
      chat_user_id,
      topic: "Pertanyaan tentang izin usaha",
      priority: "normal",
      status: "waiting",
      contact: {
        contact_name: "John Doe",
        contact_phone: "+6281234567890",
        position: "Manager",
        company_name: "PT. Example",
      },
      chat_user: { chat_user_id, browser_uuid: browser, is_anonymous: true, oss_user_id: null },
    });

    const user = await asOssUser(ossUser, "user@example.com");
    const link = await svc.post(
      "/api/oss-chat/link-user",
      { browser_uuid: browser, oss_user_id: ossUser, email: "user@example.com" },
      user,
    );
    expect(link.status).toBe(200);
    expect(link.body).toMatchObject({ chat_user_id, oss_user_id: ossUser, merged: false });

    const again = await svc.post(
      "/api/oss-chat/link-user",
      { browser_uuid: browser, oss_user_id: ossUser, email: "user@example.com" },
      user,
    );
    expect(again.status).toBe(200);
    expect(again.body.chat_user_id).toBe(chat_user_id);

    const logged = await svc.post(
      "/api/oss-chat/start",
      { oss_user_id: ossUser, email: "user@example.com", topic: "Izin lokasi", priority: "high" },
      user,
    );
    expect(logged.status).toBe(201);
    expect(logged.body.chat_user_id).toBe(chat_user_id); // the linked user keeps chatting as itself

    const h = await history(
      `oss_user_id=${encodeURIComponent(ossUser)}&min_position=${logged.body.position}`,
      user,
    );
    expect(h.status).toBe(200);
    expect(h.body).toMatchObject({ total: 2, limit: 20, offset: 0 });
    expect(h.body.sessions.map((s: { topic: string }) => s.topic)).toEqual([
      "Izin lokasi",
      "Pertanyaan tentang izin usaha",
    ]);
    expect(h.body.sessions[1].contact.contact_email).toBe("john@company.com");
    expect(h.body.sessions[0].contact).toBeNull();
    expect(Object.keys(h.body.sessions[0]).sort()).toEqual(
      [
        "channel",
        "chat_user_id",
        "contact",
        "created_at",
        "priority",
        "session_id",
        "status",
        "topic",
        "updated_at",
      ].sort(),
    );

    // The browser alone sees only what it started anonymously; the account's history needs the token.
    const byBrowser = await history(`browser_uuid=${browser}`, asBrowser(browser));
    expect(byBrowser.body.total).toBe(1);
  });

  test("linking a browser to an OSS user who already chats merges its sessions into that user's history", async () => {
    const browser = randomUUID();
    const ossUser = `OSS-${randomUUID()}`;
    const user = await asOssUser(ossUser, "a@example.com");
    const first = await svc.post(
      "/api/oss-chat/start",
      { oss_user_id: ossUser, email: "a@example.com", topic: "Sebagai pengguna OSS" },
      user,
    );
    const anon = await svc.post("/api/oss-chat/start", { browser_uuid: browser, topic: "Sebagai anonim" });
    expect(anon.body.chat_user_id).not.toBe(first.body.chat_user_id);

    const link = await svc.post(
      "/api/oss-chat/link-user",
      { browser_uuid: browser, oss_user_id: ossUser, email: "a@example.com" },
      user,
    );
    expect(link.status).toBe(200);
    expect(link.body).toMatchObject({ chat_user_id: first.body.chat_user_id, merged: true });

    const h = await history(
      `oss_user_id=${encodeURIComponent(ossUser)}&min_position=${link.body.position}`,
      user,
    );
    expect(h.body.total).toBe(2);
    expect(
      h.body.sessions.every((s: { chat_user_id: string }) => s.chat_user_id === first.body.chat_user_id),
    ).toBe(true);

    const moved = await svc.get(`/api/oss-chat/session/${anon.body.session_id}`, user);
    expect(moved.body.chat_user_id).toBe(first.body.chat_user_id);
    expect(moved.body.chat_user.oss_user_id).toBe(ossUser);

    // The browser keeps chatting into the OSS user's history.
    const later = await svc.post("/api/oss-chat/start", { browser_uuid: browser, topic: "Setelah login" });
    expect(later.body.chat_user_id).toBe(first.body.chat_user_id);
    const h2 = await history(
      `oss_user_id=${encodeURIComponent(ossUser)}&min_position=${later.body.position}`,
      user,
    );
    expect(h2.body.total).toBe(3);

    const relink = await svc.post(
      "/api/oss-chat/link-user",
      { browser_uuid: browser, oss_user_id: ossUser, email: "a@example.com" },
      user,
    );
    expect(relink.status).toBe(200);
    expect(relink.body.merged).toBe(true);
  });

  test("a browser linked to one OSS user cannot be linked to another", async () => {
    const browser = randomUUID();
    await svc.post("/api/oss-chat/start", { browser_uuid: browser, topic: "Halo" });
    const userA = `A-${randomUUID()}`;
    const a = await svc.post(
      "/api/oss-chat/link-user",
      { browser_uuid: browser, oss_user_id: userA, email: "a@example.com" },
      await asOssUser(userA, "a@example.com"),
    );
    expect(a.status).toBe(200);
    const userB = `B-${randomUUID()}`;
    const b = await svc.post(
      "/api/oss-chat/link-user",
      { browser_uuid: browser, oss_user_id: userB, email: "b@example.com" },
      await asOssUser(userB, "b@example.com"),
    );
    expect(b.status).toBe(409);
    expect(typeof b.body.error).toBe("string");
  });

  test("linking a browser that never chatted is a 404", async () => {
    const r = await svc.post(
      "/api/oss-chat/link-user",
      { browser_uuid: randomUUID(), oss_user_id: "X", email: "x@example.com" },
      await asOssUser("X", "x@example.com"),
    );
    expect(r.status).toBe(404);
  });

  test("setting a contact again updates it: one contact per session", async () => {
    const browser = asBrowser(randomUUID());
    const s = await svc.post("/api/oss-chat/start", {
      browser_uuid: browser["x-browser-uuid"],
      topic: "Kontak",
    });
    const base = { session_id: s.body.session_id, contact_name: "Siti", contact_email: "siti@example.com" };
    expect((await svc.post("/api/oss-chat/contact", base, browser)).status).toBe(201);
    const upd = await svc.post(
      "/api/oss-chat/contact",
      { ...base, contact_name: "Siti Rahma", contact_phone: "+62 21 5790 1234" },
      browser,
    );
    expect(upd.status).toBe(200);
    expect(upd.body.created).toBe(false);
    const d = await svc.get(
      `/api/oss-chat/session/${s.body.session_id}?min_position=${upd.body.position}`,
      browser,
    );
    expect(d.body.contact).toMatchObject({ contact_name: "Siti Rahma", contact_phone: "+622157901234" });
    const rows = await svc.database.knex
      .table("chat_session_contacts")
      .where({ session_id: s.body.session_id });
    expect(rows).toHaveLength(1);
  });

  test("history pages newest first with limit and offset", async () => {
    const browser = randomUUID();
    let position = 0;
    for (let i = 0; i < 5; i++) {
      const r = await svc.post("/api/oss-chat/start", { browser_uuid: browser, topic: `Topik ${i}` });
      position = r.body.position;
    }
    const page = await history(
      `browser_uuid=${browser}&limit=2&offset=1&min_position=${position}`,
      asBrowser(browser),
    );
    expect(page.body).toMatchObject({ total: 5, limit: 2, offset: 1 });
    expect(page.body.sessions.map((s: { topic: string }) => s.topic)).toEqual(["Topik 3", "Topik 2"]);
    // Past the last page: no sessions, and still the total.
    const past = await history(`browser_uuid=${browser}&limit=2&offset=5`, asBrowser(browser));
    expect(past.body).toEqual({ sessions: [], total: 5, limit: 2, offset: 5 });
    const stranger = randomUUID();
    const unknown = await history(`browser_uuid=${stranger}`, asBrowser(stranger));
    expect(unknown.body).toEqual({ sessions: [], total: 0, limit: 20, offset: 0 });
  });

  test("the client IP comes from the socket unless TRUST_PROXY is set", async () => {
    const browser = randomUUID();
    const r = await svc.post(
      "/api/oss-chat/start",
      { browser_uuid: browser, topic: "IP" },
      { "x-forwarded-for": "203.0.113.9" },
    );
    await svc.get(
      `/api/oss-chat/session/${r.body.session_id}?min_position=${r.body.position}`,
      asBrowser(browser),
    );
    const row = await svc.database.knex.table("chat_users").where({ id: r.body.chat_user_id }).first();
    expect(row.ip_address).toBe("127.0.0.1");

    const proxied = await startTestService({ TRUST_PROXY: "true" });
    try {
      const proxiedBrowser = randomUUID();
      const p = await proxied.post(
        "/api/oss-chat/start",
        { browser_uuid: proxiedBrowser, topic: "IP" },
        { "x-forwarded-for": "203.0.113.9" },
      );
      await proxied.get(
        `/api/oss-chat/session/${p.body.session_id}?min_position=${p.body.position}`,
        asBrowser(proxiedBrowser),
      );
      const prow = await proxied.database.knex.table("chat_users").where({ id: p.body.chat_user_id }).first();
      expect(prow.ip_address).toBe("203.0.113.9");
    } finally {
      await proxied.stop();
    }
  });

  test("every event records who, when and from where", async () => {
    const browser = randomUUID();
    const r = await svc.post("/api/oss-chat/start", {
      browser_uuid: browser,
      topic: "Meta",
      user_agent: "Mozilla/5.0 test",
    });
    const events = await svc.database.store.readStream(`chatSession-${r.body.session_id}`);
    expect(events[0]?.metadata).toMatchObject({
      actor: { kind: "anonymous", id: browser },
      ip: "127.0.0.1",
      user_agent: "Mozilla/5.0 test",
      owner_id: r.body.chat_user_id,
    });
    expect(events[0]?.metadata.correlation_id).toBeTruthy();
    expect(Date.parse(events[0]?.metadata.occurred_at ?? "")).not.toBeNaN();
  });
});

/**
 * Read-your-writes holds per command: a position orders its own stream, not the log (ordered by transaction),
 * so after concurrent commands each one's position is waited for.
 */
async function readEach(positions: number[], query: string, headers: Record<string, string>) {
  let last = await history(query, headers);
  for (const p of positions) last = await history(`${query}&min_position=${p}`, headers);
  return last;
}

describe("one chat user per identity under concurrent requests", () => {
  test("20 parallel starts with one new browser_uuid give one chat user", async () => {
    const browser = randomUUID();
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        svc.post("/api/oss-chat/start", { browser_uuid: browser, topic: "Serentak" }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(201));
    expect(new Set(results.map((r) => r.body.chat_user_id)).size).toBe(1);
    await readEach(
      results.map((r) => r.body.position),
      `browser_uuid=${browser}`,
      asBrowser(browser),
    );
    const users = await svc.database.knex.table("chat_users").where({ browser_uuid: browser });
    expect(users).toHaveLength(1);
    const sessions = await svc.database.knex
      .table("chat_sessions")
      .where({ chat_user_id: results[0]?.body.chat_user_id });
    expect(sessions).toHaveLength(20);
  });

  test("20 parallel starts with one new OSS user give one chat user", async () => {
    const ossUser = `OSS-${randomUUID()}`;
    const user = await asOssUser(ossUser, "p@example.com");
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        svc.post(
          "/api/oss-chat/start",
          { oss_user_id: ossUser, email: "p@example.com", topic: "Serentak" },
          user,
        ),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(201));
    expect(new Set(results.map((r) => r.body.chat_user_id)).size).toBe(1);
    const h = await readEach(
      results.map((r) => r.body.position),
      `oss_user_id=${encodeURIComponent(ossUser)}&limit=100`,
      user,
    );
    expect(h.body.total).toBe(20);
    const users = await svc.database.knex.table("chat_users").where({ oss_user_id: ossUser });
    expect(users).toHaveLength(1);
  });

  test("parallel links of one browser to one OSS user while it also starts chats leave one chat user for it", async () => {
    const browser = randomUUID();
    const ossUser = `OSS-${randomUUID()}`;
    const user = await asOssUser(ossUser, "l@example.com");
    await svc.post("/api/oss-chat/start", { browser_uuid: browser, topic: "Awal" });
    const calls = await Promise.all([
      ...Array.from({ length: 5 }, () =>
        svc.post(
          "/api/oss-chat/link-user",
          { browser_uuid: browser, oss_user_id: ossUser, email: "l@example.com" },
          user,
        ),
      ),
      ...Array.from({ length: 5 }, () =>
        svc.post(
          "/api/oss-chat/start",
          { oss_user_id: ossUser, email: "l@example.com", topic: "Login" },
          user,
        ),
      ),
    ]);
    expect(calls.map((c) => c.status).every((s) => s === 200 || s === 201)).toBe(true);
    const h = await readEach(
      calls.map((c) => c.body.position ?? 0),
      `oss_user_id=${encodeURIComponent(ossUser)}&limit=100`,
      user,
    );
    expect(h.body.total).toBe(6);
    const owners = await svc.database.knex
      .table("chat_users")
      .where({ oss_user_id: ossUser })
      .whereNull("deleted_at");
    expect(owners).toHaveLength(1);
    // The identity stream's events share one bus key whoever claimed it, so they stay in order on Kafka.
    const identityEvents = await svc.database.store.readStream(`ossIdentity-${ossUser}`);
    expect(identityEvents.length).toBeGreaterThan(0);
    expect(new Set(identityEvents.map((e) => e.metadata.owner_id)).size).toBe(1);
  });
});
