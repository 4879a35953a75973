import { createStaffKey } from "../../src/auth/staffKeys";
import { rebuildReadModel } from "../../src/ops/rebuild";
import { webhookEventTypes } from "../../src/webhooks/payload";
import { put, type Staff, staffKey, startVisitorChat, type Visitor } from "../support/conversation";
import { asOssUser, bearer } from "../support/identity";
import { everythingStored } from "../support/privacy";
import { startTestService, type TestService } from "../support/testService";
import { WebhookReceiver } from "../support/webhookReceiver";
import { readySocket } from "../support/wsClient";

let svc: TestService;
let dewi: Staff;
let budi: Staff;
let sari: Staff; // supervisor
let auditor: Staff;
const receiver = new WebhookReceiver();
beforeAll(async () => {
  await receiver.start();
  svc = await startTestService(
    { WEBHOOK_ALLOW_PRIVATE: "true", WEBHOOK_POLL_MS: "50" },
    { api: true, projector: "log", webhooks: true },
  );
  dewi = await staffKey(svc, "agent", "Dewi");
  budi = await staffKey(svc, "agent", "Budi");
  sari = await staffKey(svc, "supervisor", "Sari");
  auditor = await staffKey(svc, "auditor", "Audit");
});
afterAll(async () => {
  await svc.stop();
  await receiver.stop();
});

const del = async (path: string, headers: Record<string, string>) =>
  (await fetch(`${svc.url}${path}`, { method: "DELETE", headers })).status;
const canned = (body: Record<string, unknown>, who: Staff) =>
  svc.post("/api/agent/canned-responses", { title: "T", body: "B", scope: "personal", ...body }, who.headers);
const listCanned = (who: Staff, query = "") => svc.get(`/api/agent/canned-responses${query}`, who.headers);
/** Waits until the read model has applied a write at `position`. */
const caughtUp = (position: number, who: Staff) =>
  svc.get(`/api/agent/queue?min_position=${position}`, who.headers);

async function chatWithContact(topic: string, contact: Record<string, string>): Promise<Visitor> {
  const v = await startVisitorChat(svc, { topic });
  const set = await svc.post(
    "/api/oss-chat/contact",
    { session_id: v.sessionId, contact_email: "x@example.co.id", ...contact },
    v.headers,
  );
  if (set.status >= 300) throw new Error(`contact: ${set.status} ${JSON.stringify(set.body)}`);
  // Rendering reads the contact from the read tables.
  await caughtUp(set.body.position, dewi);
  return v;
}

async function say(v: Visitor, body: string): Promise<number> {
  const r = await svc.post("/api/oss-chat/message", { session_id: v.sessionId, body }, v.headers);
  if (r.status !== 201) throw new Error(`post: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.position;
}

const search = async (q: string, who: Staff = dewi, extra = "") => {
  const r = await svc.get(`/api/agent/search?q=${encodeURIComponent(q)}${extra}`, who.headers);
  if (r.status !== 200) throw new Error(`search: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body as { results: any[]; next_cursor: string | null };
};
const found = async (q: string, sessionId: string) =>
  (await search(q)).results.some((r) => r.session_id === sessionId);

describe("canned responses", () => {
  test("personal ones are the agent's own; shared ones are the supervisor's; shortcuts are unique per set", async () => {
    const mine = await canned(
      { shortcut: "salam-dewi", title: "Salam", body: "Halo {{contact_name}}" },
      dewi,
    );
    expect(mine.status).toBe(201);
    expect(mine.body).toMatchObject({ scope: "personal", owner_agent_id: dewi.id, shortcut: "salam-dewi" });
    expect((await canned({ shortcut: "salam-dewi" }, dewi)).status).toBe(409);
    // Another agent's set, and the shared set, are other sets: the same shortcut is free there.
    expect((await canned({ shortcut: "salam-dewi" }, budi)).status).toBe(201);

    const agentShared = await canned({ shortcut: "nib-info", scope: "shared" }, dewi);
    expect(agentShared.status).toBe(403);
    const shared = await canned({ shortcut: "nib-info", scope: "shared", team_id: "perizinan" }, sari);
    expect(shared.status).toBe(201);
    expect((await canned({ shortcut: "nib-info", scope: "shared" }, sari)).status).toBe(409);
    expect((await canned({ shortcut: "salam-dewi", scope: "shared" }, sari)).status).toBe(201);

    await caughtUp(shared.body.position, dewi);
    const list = await listCanned(dewi);
    expect(list.status).toBe(200);
    const ids = list.body.canned_responses.map((c: { id: string }) => c.id);
    expect(ids).toContain(mine.body.id);
    expect(ids).toContain(shared.body.id);
    expect(
      list.body.canned_responses.every((c: any) => c.scope === "shared" || c.owner_agent_id === dewi.id),
    ).toBe(true);
    expect((await listCanned(dewi, "?q=nib-inf")).body.canned_responses.map((c: any) => c.id)).toEqual([
      shared.body.id,
    ]);
    // A team filter keeps the shared ones of that team (and of no team); teams do not exist yet.
    const otherTeam = await listCanned(dewi, "?team_id=pajak");
    expect(otherTeam.body.canned_responses.map((c: any) => c.id)).not.toContain(shared.body.id);

    // Changing: own personal yes, shared only as supervisor, another agent's personal is not found.
    expect(
      (await put(svc, `/api/agent/canned-responses/${shared.body.id}`, { title: "X" }, dewi.headers)).status,
    ).toBe(403);
    const edited = await put(
      svc,
      `/api/agent/canned-responses/${shared.body.id}`,
      { title: "Info NIB" },
      sari.headers,
    );
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ title: "Info NIB", shortcut: "nib-info", team_id: "perizinan" });
    expect(
      (await put(svc, `/api/agent/canned-responses/${mine.body.id}`, { title: "Y" }, budi.headers)).status,
    ).toBe(404);
    const renamed = await put(
      svc,
      `/api/agent/canned-responses/${mine.body.id}`,
      { shortcut: "halo" },
      dewi.headers,
    );
    expect(renamed.status).toBe(200);
    expect(await del(`/api/agent/canned-responses/${shared.body.id}`, dewi.headers)).toBe(403);
    expect(await del(`/api/agent/canned-responses/${mine.body.id}`, budi.headers)).toBe(404);
    expect(await del(`/api/agent/canned-responses/${mine.body.id}`, dewi.headers)).toBe(204);
    expect(await del(`/api/agent/canned-responses/${mine.body.id}`, dewi.headers)).toBe(404);
    // The shortcut is free again once deleted.
    const again = await canned({ shortcut: "halo" }, dewi);
    expect(again.status).toBe(201);
    await caughtUp(again.body.position, dewi);
    expect((await listCanned(dewi)).body.canned_responses.map((c: any) => c.id)).not.toContain(mine.body.id);
  });

  test("bad input names the field; other roles are refused", async () => {
    for (const shortcut of ["a", "Salam", "x".repeat(33), "sa lam", "salam!"]) {
      const r = await canned({ shortcut }, dewi);
      expect(r.status).toBe(400);
      expect(r.body.details.map((d: { field: string }) => d.field)).toContain("shortcut");
    }
    const lang = await canned({ shortcut: "ok-1", language: "fr" }, dewi);
    expect(lang.body.details.map((d: { field: string }) => d.field)).toEqual(["language"]);
    expect((await listCanned(auditor)).status).toBe(403);
    expect((await svc.get("/api/agent/canned-responses")).status).toBe(401);
  });

  test("renders a session's values; an unknown variable stays visible", async () => {
    const v = await chatWithContact("Perizinan berusaha", { contact_name: "Siti Rahma" });
    const c = await canned(
      {
        shortcut: "render-1",
        body: "Halo {{contact_name}}, saya {{ agent_name }} soal {{topic}} ({{session_id}}). {{nomor_nib}}",
      },
      dewi,
    );
    const r = await svc.get(
      `/api/agent/sessions/${v.sessionId}/canned-responses/${c.body.id}/render`,
      dewi.headers,
    );
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      canned_response_id: c.body.id,
      session_id: v.sessionId,
      text: `Halo Siti Rahma, saya Dewi soal Perizinan berusaha (${v.sessionId}). {{nomor_nib}}`,
      unresolved: ["nomor_nib"],
    });
    // Another agent cannot render Dewi's personal response; an unknown session is 404.
    expect(
      (await svc.get(`/api/agent/sessions/${v.sessionId}/canned-responses/${c.body.id}/render`, budi.headers))
        .status,
    ).toBe(404);
    const other = "00000000-0000-4000-8000-000000000000";
    expect(
      (await svc.get(`/api/agent/sessions/${other}/canned-responses/${c.body.id}/render`, dewi.headers))
        .status,
    ).toBe(404);
  });
});

describe("labels", () => {
  test("replace the set, show for agents only, filter lists and count", async () => {
    const v = await startVisitorChat(svc, { topic: "Label test" });
    const path = `/api/agent/sessions/${v.sessionId}/labels`;
    for (const [labels, field] of [
      [["Bad"], "labels.0"],
      [[""], "labels.0"],
      [["x".repeat(33)], "labels.0"],
      [Array.from({ length: 11 }, (_, i) => `l${i}`), "labels"],
      ["nib", "labels"],
    ] as const) {
      const r = await put(svc, path, { labels }, dewi.headers);
      expect(r.status).toBe(400);
      expect(r.body.details.map((d: { field: string }) => d.field)).toContain(field);
    }
    const set = await put(svc, path, { labels: ["nib", "oss-rba", "nib"] }, dewi.headers);
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ session_id: v.sessionId, labels: ["nib", "oss-rba"] });
    const claimed = await svc.post(`/api/agent/sessions/${v.sessionId}/claim`, {}, dewi.headers);
    const agentView = await svc.get(
      `/api/oss-chat/session/${v.sessionId}?min_position=${claimed.body.position}`,
      dewi.headers,
    );
    expect(agentView.body.labels).toEqual(["nib", "oss-rba"]);
    const visitorView = await svc.get(`/api/oss-chat/session/${v.sessionId}`, v.headers);
    expect(visitorView.status).toBe(200);
    expect(visitorView.body).not.toHaveProperty("labels");

    const filtered = await svc.get("/api/agent/sessions?status=active&label=oss-rba", dewi.headers);
    expect(filtered.body.sessions.map((s: any) => s.session_id)).toEqual([v.sessionId]);
    expect(
      (await svc.get("/api/agent/sessions?status=active&label=pajak", dewi.headers)).body.sessions,
    ).toEqual([]);
    const counts = await svc.get("/api/agent/labels", dewi.headers);
    expect(counts.body.labels).toEqual(expect.arrayContaining([{ label: "oss-rba", count: 1 }]));

    const replaced = await put(svc, path, { labels: ["pajak"] }, sari.headers);
    await caughtUp(replaced.body.position, dewi);
    const after = await svc.get("/api/agent/labels", dewi.headers);
    expect(after.body.labels.find((l: any) => l.label === "oss-rba")).toBeUndefined();
    expect((await put(svc, path, { labels: [] }, dewi.headers)).body.labels).toEqual([]);
  });
});

describe("private notes", () => {
  test("agents see them in the message list and on their socket; no visitor surface ever shows them", async () => {
    const sub = `oss-${Date.now()}`;
    const visitorHeaders = await asOssUser(sub, `${sub}@example.co.id`);
    const start = await svc.post(
      "/api/oss-chat/start",
      { topic: "Catatan", oss_user_id: sub, email: `${sub}@example.co.id` },
      visitorHeaders,
    );
    expect(start.status).toBe(201);
    const sessionId: string = start.body.session_id;
    const chatUserId: string = start.body.chat_user_id;
    const ops = bearer((await createStaffKey(svc.database.knex, { name: "Ops", role: "ops" })).key);
    const refused = await svc.post(
      "/api/admin/webhooks",
      { url: receiver.url("/notes"), event_types: ["ChatNoteAdded"] },
      ops,
    );
    expect(refused.status).toBe(400);
    expect(refused.body.details.map((d: { field: string }) => d.field)).toEqual(["event_types.0"]);
    const hook = await svc.post(
      "/api/admin/webhooks",
      { url: receiver.url("/all"), event_types: webhookEventTypes },
      ops,
    );
    expect(hook.status).toBe(201);
    receiver.secretFor("/all", hook.body.secret);

    const staffKeyOf = (s: Staff) => String(s.headers.authorization).replace(/^Bearer /, "");
    const agentSocket = await readySocket(svc.url, "/api/agent/ws", { staff_key: staffKeyOf(dewi) });
    agentSocket.send({ type: "subscribe", session_id: sessionId });
    await agentSocket.next((f) => f.type === "subscribed");
    const visitorSocket = await readySocket(svc.url, "/api/oss-chat/ws", {
      token: visitorHeaders.authorization?.replace(/^Bearer /, "") ?? "",
    });
    visitorSocket.send({ type: "subscribe", session_id: sessionId });
    await visitorSocket.next((f) => f.type === "subscribed");

    await svc.post(
      "/api/oss-chat/message",
      { session_id: sessionId, body: "Halo, NIB saya ditolak" },
      visitorHeaders,
    );
    const SECRET = "Catatan rahasia: pemohon pernah ditolak 3x";
    const bad = await svc.post(`/api/agent/sessions/${sessionId}/notes`, { body: "" }, dewi.headers);
    expect(bad.status).toBe(400);
    expect(bad.body.details[0].field).toBe("body");
    expect(
      (await svc.post(`/api/agent/sessions/${sessionId}/notes`, { body: "x".repeat(4001) }, dewi.headers))
        .status,
    ).toBe(400);
    expect(
      (await svc.post(`/api/agent/sessions/${sessionId}/notes`, { body: "x" }, auditor.headers)).status,
    ).toBe(403);
    const note = await svc.post(`/api/agent/sessions/${sessionId}/notes`, { body: SECRET }, dewi.headers);
    expect(note.status).toBe(201);
    expect(note.body).toEqual({
      note_id: expect.any(String),
      created_at: expect.any(String),
      position: expect.any(Number),
    });
    const after = await svc.post(
      "/api/oss-chat/message",
      { session_id: sessionId, body: "Masih menunggu" },
      visitorHeaders,
    );

    // The agents' view: the note after the message it followed, on the socket too.
    const frame = await agentSocket.next((f) => f.type === "message" && f.message.author_kind === "note");
    expect(frame.message).toMatchObject({
      message_id: note.body.note_id,
      seq: 1,
      body: SECRET,
      author_name: "Dewi",
    });
    await caughtUp(after.body.position, dewi);
    const agentList = await svc.get(`/api/agent/sessions/${sessionId}/messages?after_seq=0`, dewi.headers);
    expect(agentList.body.messages.map((m: any) => [m.seq, m.author_kind])).toEqual([
      [1, "visitor"],
      [1, "note"],
      [2, "visitor"],
    ]);
    // Supervisors write notes too.
    expect(
      (await svc.post(`/api/agent/sessions/${sessionId}/notes`, { body: "Cek ulang" }, sari.headers)).status,
    ).toBe(201);

    // Every visitor surface: HTTP reads, the socket, the webhook payloads, the self export.
    await visitorSocket.next((f) => f.type === "message" && f.message.seq === 2);
    const deadline = Date.now() + 15_000;
    const delivered = () => receiver.messages.some((m) => m.body.data.position === after.body.position);
    while (!delivered() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(receiver.messages.map((m) => m.body.type)).toContain("ChatMessagePosted");
    const visitorTexts = [
      JSON.stringify(visitorSocket.frames),
      JSON.stringify(
        (await svc.get(`/api/oss-chat/session/${sessionId}/messages?after_seq=0`, visitorHeaders)).body,
      ),
      JSON.stringify((await svc.get(`/api/oss-chat/session/${sessionId}`, visitorHeaders)).body),
      JSON.stringify((await svc.get(`/api/oss-chat/history?oss_user_id=${sub}`, visitorHeaders)).body),
      JSON.stringify((await svc.get("/api/oss-chat/me/export", visitorHeaders)).body),
      JSON.stringify(await svc.database.knex.table("webhook_deliveries").select("body", "event_type")),
      JSON.stringify(receiver.messages),
    ];
    for (const text of visitorTexts) {
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain("ChatNoteAdded");
      expect(text).not.toContain('"note"');
    }
    const selfExport = JSON.parse(visitorTexts[4] as string);
    expect(selfExport.chat_user_id).toBe(chatUserId);
    expect(selfExport.events.length).toBeGreaterThan(0);

    // The staff export lists them; the log holds them sealed.
    const privacy = bearer((await createStaffKey(svc.database.knex, { name: "DPO", role: "privacy" })).key);
    const staffExport = await svc.get(`/api/admin/data-subjects/${chatUserId}/export`, privacy);
    expect(JSON.stringify(staffExport.body)).toContain(SECRET);
    expect(staffExport.body.sessions[0].chat_notes.map((n: any) => n.body)).toContain(SECRET);
    const log = await svc.database.knex
      .table("events")
      .where({ event_type: "ChatNoteAdded" })
      .select(svc.database.knex.raw("data::text AS d"));
    expect(log.length).toBe(2);
    for (const row of log) expect(row.d).not.toContain("rahasia");
    agentSocket.close();
    visitorSocket.close();
  });

  test("a note on an unknown session is 404", async () => {
    const r = await svc.post(
      "/api/agent/sessions/00000000-0000-4000-8000-000000000001/notes",
      { body: "x" },
      dewi.headers,
    );
    expect(r.status).toBe(404);
  });
});

describe("search", () => {
  let izin: Visitor;
  let nib: Visitor;
  let english: Visitor;
  beforeAll(async () => {
    izin = await chatWithContact("Perizinan", {
      contact_name: "Wahyu Santoso",
      company_name: "CV Maju Jaya",
    });
    await say(izin, "Bagaimana cara urus perizinan untuk usaha mikro?");
    nib = await chatWithContact("NIB", { contact_name: "Rina Kusuma", contact_phone: "081234567890" });
    await say(nib, "NIB saya 9120003451234 tidak muncul di dashboard");
    english = await startVisitorChat(svc, { topic: "Licensing" });
    const last = await say(english, "How do I renew my business licenses online?");
    await caughtUp(last, dewi);
  });

  test("Indonesian stemming: mengurus izin finds cara urus perizinan", async () => {
    const { results } = await search("mengurus izin");
    const hit = results.find((r) => r.session_id === izin.sessionId);
    expect(hit).toMatchObject({
      topic: "Perizinan",
      status: "waiting",
      team: null,
      contact_name: "Wahyu Santoso",
      snippet: "Bagaimana cara urus perizinan untuk usaha mikro?",
      seq: 1,
    });
    const words = hit.matches.map((m: any) => hit.snippet.slice(m.start, m.end));
    expect(words).toEqual(["urus", "perizinan"]);
    expect(hit.matches.every((m: any) => m.field === "message")).toBe(true);
    expect(hit.score).toBeGreaterThan(0);
  });

  test("English stemming, a typo, a partial NIB, a phrase, contact fields", async () => {
    expect(await found("renewing license", english.sessionId)).toBe(true);
    expect(await found("perizinann", izin.sessionId)).toBe(true);
    const partial = (await search("345123")).results.find((r) => r.session_id === nib.sessionId);
    expect(partial.snippet.slice(partial.matches[0].start, partial.matches[0].end)).toBe("345123");
    expect(await found('"cara urus"', izin.sessionId)).toBe(true);
    expect(await found('"urus cara"', izin.sessionId)).toBe(false);
    const phone = (await search("1234567890")).results.find((r) => r.session_id === nib.sessionId);
    expect(phone.matches[0].field).toBe("contact_phone");
    expect(await found("maju jaya", izin.sessionId)).toBe(true);
    expect((await search("zzzqqxx")).results).toEqual([]);
  });

  test("filters, paging and bad input", async () => {
    expect(await found("perizinan", izin.sessionId)).toBe(true);
    expect((await search("perizinan", dewi, "&status=closed")).results).toEqual([]);
    const labelled = await put(
      svc,
      `/api/agent/sessions/${nib.sessionId}/labels`,
      { labels: ["nib-issue"] },
      dewi.headers,
    );
    await caughtUp(labelled.body.position, dewi);
    expect((await search("nib-issue")).results.map((r) => r.session_id)).toContain(nib.sessionId);
    expect((await search("dashboard", dewi, "&label=nib-issue")).results.map((r) => r.session_id)).toEqual([
      nib.sessionId,
    ]);
    const page1 = await search("NIB", dewi, "&limit=1");
    expect(page1.results.length).toBe(1);
    expect(page1.next_cursor).not.toBeNull();
    const page2 = await search("NIB", dewi, `&limit=1&cursor=${page1.next_cursor}`);
    expect(page2.results[0]?.session_id).not.toBe(page1.results[0]?.session_id);
    for (const [query, field] of [
      ["", "q"],
      ["q=x&limit=0", "limit"],
      ["q=x&cursor=nope", "cursor"],
      ["q=x&from=yesterday", "from"],
      ["q=x&label=Bad", "label"],
    ] as const) {
      const r = await svc.get(`/api/agent/search?${query}`, dewi.headers);
      expect(r.status).toBe(400);
      expect(r.body.details.map((d: any) => d.field)).toContain(field);
    }
    expect((await svc.get("/api/agent/search?q=x", auditor.headers)).status).toBe(403);
    expect((await svc.get("/api/agent/search?q=x", sari.headers)).status).toBe(200);
  });

  test("rebuild gives the same results; erasure removes the person's text at once", async () => {
    const queries = ["mengurus izin", "perizinann", "345123", "renewing license", "NIB"];
    const before = await Promise.all(queries.map((q) => search(q)));
    await rebuildReadModel({ knex: svc.database.knex, store: svc.database.store });
    const after = await Promise.all(queries.map((q) => search(q)));
    expect(after).toEqual(before);

    const privacy = bearer((await createStaffKey(svc.database.knex, { name: "DPO2", role: "privacy" })).key);
    const erased = await svc.post(
      `/api/admin/data-subjects/${izin.chatUserId}/erase`,
      { reason: "data_subject_request" },
      privacy,
    );
    expect(erased.status).toBe(200);
    expect(await found("mengurus izin", izin.sessionId)).toBe(false);
    expect(await found("Wahyu", izin.sessionId)).toBe(false);
    const stored = await everythingStored(svc.database.knex);
    for (const text of ["urus perizinan untuk usaha mikro", "Wahyu", "Maju Jaya"])
      expect(stored).not.toContain(text);
    const terms = await svc.database.knex
      .table("search_terms")
      .whereIn("term", ["wahyu", "mikro", "santoso"]);
    expect(terms).toEqual([]);
    // And a rebuild after the erasure brings none of it back.
    await rebuildReadModel({ knex: svc.database.knex, store: svc.database.store });
    expect(await found("mengurus izin", izin.sessionId)).toBe(false);
    expect(await svc.database.knex.table("search_terms").whereIn("term", ["wahyu", "mikro"])).toEqual([]);
  });
});
