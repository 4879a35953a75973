import { randomUUID } from "node:crypto";
import { asOssUser } from "../support/identity";
import { startTestService, type TestService } from "../support/testService";

// Two API instances on one database: each decides first on the identity states it remembers, so what the
// other one changed meanwhile must reach the decision (the append is checked at the remembered revisions).
let a: TestService;
let b: TestService;
beforeAll(async () => {
  a = await startTestService();
  b = await startTestService({}, undefined, a.db);
});
afterAll(async () => {
  await b.stop();
  await a.stop();
});

const start = async (
  svc: TestService,
  body: Record<string, unknown>,
  headers: Record<string, string> = {},
) => {
  const res = await svc.post("/api/oss-chat/start", { topic: "Izin", ...body }, headers);
  expect(res.status).toBe(201);
  return res.body as { session_id: string; chat_user_id: string };
};

describe("chats started on remembered identity states", () => {
  test("a browser merged into an account by another instance starts its next chat as the account's chat user", async () => {
    const browser = randomUUID();
    const ossUser = `OSS-${randomUUID()}`;
    const token = await asOssUser(ossUser, "a@example.com");
    const account = await start(b, { oss_user_id: ossUser }, token);
    const anonymous = await start(a, { browser_uuid: browser });
    const again = await start(a, { browser_uuid: browser }); // remembered by a, nothing read
    expect(again.chat_user_id).toBe(anonymous.chat_user_id);

    const link = await b.post("/api/oss-chat/link-user", { browser_uuid: browser }, token);
    expect(link.body).toMatchObject({ chat_user_id: account.chat_user_id, merged: true });

    // a still remembers the browser's chat user as it was: its first decision is refused by the store.
    const after = await start(a, { browser_uuid: browser });
    expect(after.chat_user_id).toBe(account.chat_user_id);
    const users = await a.database.knex
      .table("events")
      .where("event_type", "ChatUserRegistered")
      .whereRaw("data->>'browser_uuid' = ?", [browser]);
    expect(users).toHaveLength(1);
  });

  test("an account claimed through another instance is not claimed twice", async () => {
    const ossUser = `OSS-${randomUUID()}`;
    const token = await asOssUser(ossUser, "b@example.com");
    const [onA, onB] = await Promise.all([
      start(a, { oss_user_id: ossUser }, token),
      start(b, { oss_user_id: ossUser }, token),
    ]);
    expect(onA.chat_user_id).toBe(onB.chat_user_id);
    const next = await start(a, { oss_user_id: ossUser }, token);
    expect(next.chat_user_id).toBe(onA.chat_user_id);
    const claims = await a.database.knex
      .table("events")
      .where("stream_id", `ossIdentity-${ossUser}`)
      .where("event_type", "OssIdentityClaimed");
    expect(claims).toHaveLength(1);
  });

  test("a browser linked by another instance is not linked again to another account", async () => {
    const browser = randomUUID();
    const first = await asOssUser(`OSS-${randomUUID()}`, "c@example.com");
    const second = await asOssUser(`OSS-${randomUUID()}`, "d@example.com");
    await start(a, { browser_uuid: browser }); // a remembers the browser's chat user, not linked
    const linked = await b.post("/api/oss-chat/link-user", { browser_uuid: browser }, first);
    expect(linked.status).toBe(200);
    const again = await a.post("/api/oss-chat/link-user", { browser_uuid: browser }, second);
    expect(again.status).toBe(409);
    const same = await a.post("/api/oss-chat/link-user", { browser_uuid: browser }, first);
    expect(same.status).toBe(200);
    expect(same.body.chat_user_id).toBe(linked.body.chat_user_id);
  });
});
