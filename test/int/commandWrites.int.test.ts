import { randomUUID } from "node:crypto";
import { createStaffKey } from "../../src/auth/staffKeys";
import { asBrowser, asOssUser, bearer } from "../support/identity";
import { startTestService, type TestService } from "../support/testService";

// What the command routes write: each command one commit, and a refused command nothing at all.

let svc: TestService;

beforeAll(async () => {
  svc = await startTestService();
});
afterAll(async () => svc.stop());

async function eventCount(): Promise<number> {
  const r = await svc.database.knex.raw("select count(*)::int as n from events");
  return r.rows[0].n;
}

/** The events a request wrote, in log order, with the transaction each was committed in. */
async function eventsWrittenBy(send: () => Promise<{ status: number; body: any }>) {
  const before = await svc.database.knex.raw("select coalesce(max(global_position), 0) as p from events");
  const res = await send();
  const rows = await svc.database.knex.raw(
    `select stream_id, event_type, transaction_id::text as tx from events where global_position > ?
     order by transaction_id, global_position`,
    [before.rows[0].p],
  );
  return { res, events: rows.rows as { stream_id: string; event_type: string; tx: string }[] };
}

const user = () => ({ id: `OSS-${randomUUID()}`, email: `${randomUUID().slice(0, 8)}@example.co.id` });

describe("each command is one commit", () => {
  test("StartChat of a new browser registers its chat user and starts the session together", async () => {
    const { res, events } = await eventsWrittenBy(() =>
      svc.post("/api/oss-chat/start", { browser_uuid: randomUUID(), topic: "Izin usaha" }),
    );
    expect(res.status).toBe(201);
    expect(events.map((e) => e.event_type)).toEqual(["ChatUserRegistered", "ChatSessionStarted"]);
    expect(new Set(events.map((e) => e.tx)).size).toBe(1);
  });

  test("StartChat of a new OSS user claims the identity, registers the chat user and starts the session together", async () => {
    const u = user();
    const { res, events } = await eventsWrittenBy(async () =>
      svc.post("/api/oss-chat/start", { topic: "NIB" }, await asOssUser(u.id, u.email)),
    );
    expect(res.status).toBe(201);
    expect(events.map((e) => [e.stream_id.split("-")[0], e.event_type])).toEqual([
      ["ossIdentity", "OssIdentityClaimed"],
      ["chatUser", "ChatUserRegistered"],
      ["chatSession", "ChatSessionStarted"],
    ]);
    expect(new Set(events.map((e) => e.tx)).size).toBe(1);
  });

  test("LinkUser at first login claims the identity and links the browser's user together", async () => {
    const u = user();
    const browser = randomUUID();
    await svc.post("/api/oss-chat/start", { browser_uuid: browser, topic: "Anonim" });
    const { res, events } = await eventsWrittenBy(async () =>
      svc.post("/api/oss-chat/link-user", { browser_uuid: browser }, await asOssUser(u.id, u.email)),
    );
    expect(res.status).toBe(200);
    expect(events.map((e) => e.event_type)).toEqual(["OssIdentityClaimed", "ChatUserLinkedToOssUser"]);
    expect(new Set(events.map((e) => e.tx)).size).toBe(1);
  });
});

describe("a refused command appends nothing", () => {
  // One world: a browser linked to OSS user A, a session of A's, a second browser anonymous.
  const a = user();
  const b = user();
  const linkedBrowser = randomUUID();
  const strangerBrowser = randomUUID();
  let session: string;
  let tokenA: Record<string, string>;
  let tokenB: Record<string, string>;
  let auditorKey: string;

  beforeAll(async () => {
    tokenA = await asOssUser(a.id, a.email);
    tokenB = await asOssUser(b.id, b.email);
    expect((await svc.post("/api/oss-chat/start", { browser_uuid: linkedBrowser, topic: "x" })).status).toBe(
      201,
    );
    const link = await svc.post("/api/oss-chat/link-user", { browser_uuid: linkedBrowser }, tokenA);
    expect(link.status).toBe(200);
    // B has a chat user of its own, so linking A's browser to B would be a merge.
    expect((await svc.post("/api/oss-chat/start", { topic: "B" }, tokenB)).status).toBe(201);
    const started = await svc.post("/api/oss-chat/start", { topic: "A" }, tokenA);
    session = started.body.session_id;
    expect(
      (await svc.post("/api/oss-chat/start", { browser_uuid: strangerBrowser, topic: "y" })).status,
    ).toBe(201);
    auditorKey = (await createStaffKey(svc.database.knex, { name: "Audit", role: "auditor" })).key;
  });

  const contact = () => ({ session_id: session, contact_name: "Siti", contact_email: "siti@example.co.id" });
  const cases: [string, number, () => Promise<{ status: number; body: any }>][] = [
    [
      "link-user: the browser is linked to another OSS user whose identity has a chat user",
      409,
      () => svc.post("/api/oss-chat/link-user", { browser_uuid: linkedBrowser }, tokenB),
    ],
    [
      "link-user: the browser is linked to another OSS user whose identity is unclaimed",
      409,
      async () => {
        const c = user();
        return svc.post(
          "/api/oss-chat/link-user",
          { browser_uuid: linkedBrowser },
          await asOssUser(c.id, c.email),
        );
      },
    ],
    [
      "link-user: no chat user for the browser",
      404,
      () => svc.post("/api/oss-chat/link-user", { browser_uuid: randomUUID() }, tokenA),
    ],
    [
      "link-user: oss_user_id other than the token's",
      403,
      () => svc.post("/api/oss-chat/link-user", { browser_uuid: strangerBrowser, oss_user_id: b.id }, tokenA),
    ],
    [
      "start: oss_user_id other than the token's",
      403,
      () => svc.post("/api/oss-chat/start", { topic: "z", oss_user_id: b.id, email: b.email }, tokenA),
    ],
    [
      "start: email other than the token's",
      403,
      () => svc.post("/api/oss-chat/start", { topic: "z", email: "not-a@example.co.id" }, tokenA),
    ],
    [
      "contact: a session that does not exist",
      404,
      () => svc.post("/api/oss-chat/contact", { ...contact(), session_id: randomUUID() }, tokenA),
    ],
    [
      "contact: someone else's session",
      404,
      () => svc.post("/api/oss-chat/contact", contact(), asBrowser(strangerBrowser)),
    ],
    [
      "contact: a staff key whose role may not",
      403,
      () => svc.post("/api/oss-chat/contact", contact(), bearer(auditorKey)),
    ],
    [
      "link-user: no identity token",
      401,
      () =>
        svc.post(
          "/api/oss-chat/link-user",
          { browser_uuid: strangerBrowser, oss_user_id: a.id, email: a.email },
          {},
        ),
    ],
    ["start: a missing topic", 400, () => svc.post("/api/oss-chat/start", { browser_uuid: randomUUID() })],
  ];

  test.each(cases)("%s: %d", async (_name, status, send) => {
    const before = await eventCount();
    const res = await send();
    expect(res.status).toBe(status);
    expect(typeof res.body.error).toBe("string");
    expect(await eventCount()).toBe(before);
  });
});
