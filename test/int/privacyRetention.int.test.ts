import { randomUUID } from "node:crypto";
import { verifyChains } from "../../src/audit/verifyChains";
import { rebuildReadModel } from "../../src/ops/rebuild";
import { ERASED } from "../../src/privacy/fieldCipher";
import { applyMessageRetention } from "../../src/privacy/retention";
import { asBrowser } from "../support/identity";
import { everythingStored, leaked } from "../support/privacy";
import { waitFor } from "../support/readModel";
import { startTestService, type TestService } from "../support/testService";

let svc: TestService;
const DAY = 86_400_000;

beforeAll(async () => {
  svc = await startTestService();
});
afterAll(async () => svc.stop());

/** A visitor's session with two messages and a contact, closed or left open. */
async function conversation(close: boolean) {
  const browser = randomUUID();
  const as = asBrowser(browser);
  const s = await svc.post("/api/oss-chat/start", { browser_uuid: browser, topic: "NIB" }, as);
  const session = s.body.session_id as string;
  const contactName = `Rina ${randomUUID().slice(0, 8)}`;
  await svc.post(
    "/api/oss-chat/contact",
    { session_id: session, contact_name: contactName, contact_email: "rina@example.co.id" },
    as,
  );
  const bodies = [`Halo, NIB saya ${randomUUID()}`, `Nomor KTP saya ${randomUUID()}`];
  for (const body of bodies) {
    const m = await svc.post("/api/oss-chat/message", { session_id: session, body }, as);
    expect(m.status).toBe(201);
  }
  if (close) expect((await svc.post(`/api/oss-chat/session/${session}/close`, {}, as)).status).toBe(200);
  await waitFor(async () => {
    const row = await svc.database.knex.table("chat_sessions").where("id", session).first();
    const messages = await svc.database.knex.table("chat_messages").where("session_id", session);
    return messages.length === 2 && (!close || row?.status === "closed");
  });
  return { session, bodies, contactName, browser };
}

const bodiesIn = async (session: string) =>
  (await svc.database.store.readStream(`chatSession-${session}`))
    .filter((e) => e.type === "ChatMessagePosted")
    .map((e) => (e.data as { body: string }).body);

test("shreds the bodies of sessions closed longer ago, keeps the rest, records it, and survives a rebuild", async () => {
  const closed = await conversation(true);
  const open = await conversation(false);
  const progress: { done: number; total: number }[] = [];
  const later = new Date(Date.now() + 31 * DAY);
  const result = await applyMessageRetention(svc.database, 30, {
    now: later,
    onProgress: (p) => progress.push(p),
  });
  expect(result.sessions).toBeGreaterThanOrEqual(1);
  expect(progress.at(-1)).toEqual({ done: result.sessions, total: result.sessions });

  expect(await bodiesIn(closed.session)).toEqual([ERASED, ERASED]);
  expect(await bodiesIn(open.session)).toEqual(open.bodies);
  const rows = await svc.database.knex.table("chat_messages").where("session_id", closed.session);
  expect(rows.map((r: { body: string }) => r.body)).toEqual([ERASED, ERASED]);
  const contact = await svc.database.knex
    .table("chat_session_contacts")
    .where("session_id", closed.session)
    .first();
  expect(contact.contact_name).toBe(closed.contactName); // only the bodies go
  expect(leaked(await everythingStored(svc.database.knex), closed.bodies)).toEqual([]);

  const records = (await svc.database.store.readStream("privacy-retention")).map((e) => e.data);
  expect(records.at(-1)).toMatchObject({
    retention_days: 30,
    session_ids: expect.arrayContaining([closed.session]),
  });
  expect((await verifyChains(svc.database.sealedLog)).ok).toBe(true);

  await rebuildReadModel({ knex: svc.database.knex, store: svc.database.store });
  const rebuilt = await svc.database.knex.table("chat_messages").where("session_id", closed.session);
  expect(rebuilt.map((r: { body: string }) => r.body)).toEqual([ERASED, ERASED]);
  const kept = await svc.database.knex
    .table("chat_messages")
    .where("session_id", open.session)
    .orderBy("seq");
  expect(kept.map((r: { body: string }) => r.body)).toEqual(open.bodies);

  // Again: nothing left to shred.
  expect((await applyMessageRetention(svc.database, 30, { now: later })).sessions).toBe(0);
});

test("the scheduled job shreds at start when RETENTION_DAYS_MESSAGES is set; erasure covers messages too", async () => {
  const old = await conversation(true);
  await svc.database.knex
    .table("chat_sessions")
    .where("id", old.session)
    .update({ closed_at: new Date(Date.now() - 40 * DAY) });
  const second = await startTestService(
    { RETENTION_DAYS_MESSAGES: "30" },
    { api: true, projector: false },
    svc.db,
  );
  try {
    await waitFor(async () => (await bodiesIn(old.session)).every((b) => b === ERASED));
  } finally {
    await second.stop();
  }

  const erasedOne = await conversation(false);
  const chatUserId = (await svc.database.knex.table("chat_sessions").where("id", erasedOne.session).first())
    .chat_user_id;
  const { eraseChatUser } = await import("../../src/privacy/eraseChatUser");
  await eraseChatUser(
    svc.database,
    { chat_user_id: chatUserId, reason: "data_subject_request" },
    {
      actor: { kind: "system", id: "test" },
      ip: "test",
      userAgent: null,
      correlationId: randomUUID(),
      now: () => new Date(),
    },
  );
  await waitFor(async () => leaked(await everythingStored(svc.database.knex), erasedOne.bodies).length === 0);
  expect(await bodiesIn(erasedOne.session)).toEqual([ERASED, ERASED]);
});
