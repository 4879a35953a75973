import { randomUUID } from "node:crypto";
import { createStaffKey } from "../../src/auth/staffKeys";
import { loadConfig } from "../../src/config";
import { createLogger } from "../../src/logger";
import { type RunningService, startService } from "../../src/service";
import { asBrowser, asOssUser, TEST_IDENTITY_SECRET } from "../support/identity";
import { leaked } from "../support/privacy";
import { createTestDatabase, type TestDatabase } from "../support/testDatabase";

let db: TestDatabase;
let svc: RunningService;
const lines: string[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  const config = loadConfig({
    DATABASE_URL: db.url,
    PORT: "0",
    HOST: "127.0.0.1",
    LOG_LEVEL: "trace",
    PROJECTOR_POLL_MS: "50",
    OSS_IDENTITY_SECRET: TEST_IDENTITY_SECRET,
  });
  const logger = createLogger("trace", "livechat", { write: (line: string) => lines.push(line) });
  svc = await startService(config, logger);
});
afterAll(async () => {
  await svc.stop();
  await db.drop();
});

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${svc.url}${path}`, {
    method,
    headers: body === undefined ? headers : { "content-type": "application/json", ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json().catch(() => null)) as any };
}

test("a whole flow logs requests but none of the personal values, tokens or browser UUIDs it sent", async () => {
  const browser = randomUUID();
  const ossUser = `OSS-${randomUUID()}`;
  const tag = randomUUID().slice(0, 8);
  const values = {
    name: `Dewi Lestari ${tag}`,
    email: `dewi.${tag}@example.co.id`,
    phone: "+6281398765432",
    position: `Manajer ${tag}`,
    company: `PT Maju ${tag}`,
    userAgent: `widget-log-test/${tag}`,
    ossEmail: `oss.${tag}@example.co.id`,
    badEmail: `bukan-email-${tag}`,
    message: `Pesan rahasia ${tag}`,
  };
  const oss = await asOssUser(ossUser, values.ossEmail);
  const ua = { "user-agent": values.userAgent };
  const privacy = {
    authorization: `Bearer ${(await createStaffKey(svc.database.knex, { name: "DPO", role: "privacy" })).key}`,
  };

  const started = await call(
    "POST",
    "/api/oss-chat/start",
    { browser_uuid: browser, topic: "Izin" },
    { ...asBrowser(browser), ...ua },
  );
  const session = started.body.session_id;
  const contact = {
    session_id: session,
    contact_name: values.name,
    contact_email: values.email,
    contact_phone: values.phone,
    position: values.position,
    company_name: values.company,
  };
  expect(
    (await call("POST", "/api/oss-chat/contact", contact, { ...asBrowser(browser), ...ua })).status,
  ).toBe(201);
  const bad = await call(
    "POST",
    "/api/oss-chat/contact",
    { ...contact, contact_email: values.badEmail },
    asBrowser(browser),
  );
  expect(bad.status).toBe(400);
  expect(
    (await call("POST", "/api/oss-chat/start", { oss_user_id: ossUser, topic: "NIB" }, { ...oss, ...ua }))
      .status,
  ).toBe(201);
  const linked = await call(
    "POST",
    "/api/oss-chat/link-user",
    { browser_uuid: browser },
    { ...oss, ...asBrowser(browser) },
  );
  expect(linked.status).toBe(200);
  const posted = await call(
    "POST",
    "/api/oss-chat/message",
    { session_id: session, body: values.message },
    oss,
  );
  expect(posted.status).toBe(201);
  expect(
    (await call("GET", `/api/oss-chat/history?browser_uuid=${browser}`, undefined, asBrowser(browser)))
      .status,
  ).toBe(200);
  expect((await call("GET", `/api/oss-chat/history?oss_user_id=${ossUser}`, undefined, oss)).status).toBe(
    200,
  );
  expect(
    (
      await call(
        "GET",
        `/api/oss-chat/session/${session}?min_position=${linked.body.position}`,
        undefined,
        oss,
      )
    ).status,
  ).toBe(200);
  expect((await call("GET", "/api/oss-chat/me/export", undefined, oss)).status).toBe(200);
  const user = started.body.chat_user_id;
  expect((await call("GET", `/api/admin/data-subjects/${user}/export`, undefined, privacy)).status).toBe(200);
  expect(
    (await call("GET", `/api/nothing-here?email=${values.email}`, undefined, asBrowser(browser))).status,
  ).toBe(404);
  await new Promise((r) => setTimeout(r, 300)); // the projector's batches log too

  const text = lines.join("");
  expect(lines.filter((l) => l.includes('"msg":"request completed"')).length).toBeGreaterThanOrEqual(10);
  const token = (oss.authorization as string).slice("Bearer ".length);
  const sent = [...Object.values(values), browser, ossUser, token, privacy.authorization.slice(7)];
  expect(leaked(text, sent)).toEqual([]);
  // No headers and no client address either.
  expect(text).not.toMatch(/remoteAddress|user-agent|x-browser-uuid|authorization/i);
});
