import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import path from "node:path";
import { servedDocument } from "../../scripts/servedDocument";
import { createStaffKey } from "../../src/auth/staffKeys";
import { documentedRoutes, routesOf } from "../../src/http/openapi/document";
import { asBrowser, asOssUser, bearer } from "../support/identity";
import { OpenApiValidator } from "../support/openApiValidator";
import { startTestService, type TestService } from "../support/testService";

let svc: TestService;
let validator: OpenApiValidator;
const keys: Record<"ops" | "agent" | "auditor" | "privacy" | "supervisor", Record<string, string>> = {
  supervisor: {},
  ops: {},
  agent: {},
  auditor: {},
  privacy: {},
};
const problems: string[] = [];

beforeAll(async () => {
  svc = await startTestService({ WEBHOOK_ALLOW_PRIVATE: "true" });
  for (const role of ["ops", "agent", "auditor", "privacy", "supervisor"] as const) {
    keys[role] = bearer((await createStaffKey(svc.database.knex, { name: role, role })).key);
  }
  const doc = await fetch(`${svc.url}/openapi.json`);
  validator = new OpenApiValidator((await doc.json()) as Record<string, unknown>);
});
afterAll(async () => svc.stop());

/** Sends a request and checks its answer against the document; returns the parsed answer. */
async function call(
  method: string,
  path: string,
  options: { body?: unknown; headers?: Record<string, string> } = {},
) {
  const res = await fetch(`${svc.url}${path}`, {
    method,
    headers:
      options.body === undefined
        ? options.headers
        : { "content-type": "application/json", ...options.headers },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const type = res.headers.get("content-type");
  const text = await res.text();
  const body = type?.startsWith("application/json") ? JSON.parse(text) : text;
  problems.push(...validator.check(method, path, res.status, type, body));
  return { status: res.status, body };
}

describe("the OpenAPI document", () => {
  test("is OpenAPI 3.1 and documents every route the app registers, and nothing else", () => {
    expect(validator.document.openapi).toBe("3.1.0");
    const app = svc.app as NonNullable<typeof svc.app>;
    const registered = routesOf(app).map((r) => `${r.method} ${r.path}`);
    const documented = documentedRoutes(app).map((d) => `${d.method} ${d.path}`);
    expect(registered.length).toBeGreaterThan(20);
    expect(registered.filter((r) => !documented.includes(r))).toEqual([]); // undocumented routes
    expect(documented.filter((d) => !registered.includes(d))).toEqual([]); // docs of routes that do not exist
    expect(validator.operations()).toHaveLength(new Set(registered).size);
  });

  test("real answers of every operation match their documented schemas", async () => {
    const browser = randomUUID();
    const user = `OSS-${randomUUID()}`;
    const token = await asOssUser(user, "u@example.com");
    const en = { "accept-language": "en" };

    await call("GET", "/healthz");
    await call("GET", "/readyz");
    await call("GET", "/openapi.json");
    expect((await call("GET", "/docs")).body).toContain("swagger-ui-bundle.js");
    await call("GET", "/docs/init.js");
    await call("GET", "/demo");
    await call("GET", "/console");
    await call("GET", "/widget.js"); // 200, or 503 when the bundles are not built here
    await call("GET", "/web/widget.000000000000.js");
    expect((await call("POST", "/demo/identity-token")).body.oss_user_id).toBe("OSS-DEMO-USER");
    await call("GET", "/console/assets/console.000000000000.js");
    await call("GET", "/favicon.ico");
    await call("GET", "/metrics", { headers: keys.ops });
    await call("GET", "/metrics", { headers: keys.agent });

    const once = { "idempotency-key": randomUUID() };
    const start = await call("POST", "/api/oss-chat/start", {
      body: { browser_uuid: browser, topic: "Izin" },
      headers: once,
    });
    await call("POST", "/api/oss-chat/start", {
      body: { browser_uuid: browser, topic: "Izin" },
      headers: once,
    });
    await call("POST", "/api/oss-chat/start", {
      body: { browser_uuid: browser, topic: "Lain" },
      headers: once,
    });
    const session = start.body.session_id as string;
    await call("POST", "/api/oss-chat/start", { body: { topic: "Masuk" }, headers: token });
    await call("POST", "/api/oss-chat/start", { body: { browser_uuid: "x", topic: "" }, headers: en });
    await call("POST", "/api/oss-chat/start", { body: { topic: "x", oss_user_id: "other" }, headers: token });
    await call("POST", "/api/oss-chat/start", {
      body: { topic: "x" },
      headers: { authorization: "Bearer junk" },
    });
    const contact = { session_id: session, contact_name: "Sari", contact_email: "s@example.com" };
    await call("POST", "/api/oss-chat/contact", { body: contact, headers: asBrowser(browser) });
    await call("POST", "/api/oss-chat/contact", {
      body: { ...contact, contact_phone: "081234567890" },
      headers: asBrowser(browser),
    });
    await call("POST", "/api/oss-chat/contact", { body: contact, headers: asBrowser(randomUUID()) });
    const link = await call("POST", "/api/oss-chat/link-user", {
      body: { browser_uuid: browser },
      headers: token,
    });
    await call("POST", "/api/oss-chat/link-user", {
      body: { browser_uuid: browser },
      headers: await asOssUser("B", "b@x.co"),
    });
    await call("POST", "/api/oss-chat/link-user", { body: { browser_uuid: randomUUID() }, headers: token });
    await call("GET", `/api/oss-chat/history?min_position=${link.body.position}`, { headers: token });
    await call("GET", "/api/oss-chat/history", { headers: asBrowser(browser) });
    await call("GET", "/api/oss-chat/history?limit=0", { headers: asBrowser(browser) });
    await call("GET", "/api/oss-chat/history");
    await call("GET", `/api/oss-chat/history?browser_uuid=${randomUUID()}`, { headers: asBrowser(browser) });
    await call("GET", `/api/oss-chat/session/${session}`, { headers: token });
    await call("GET", `/api/oss-chat/session/${session}`, { headers: keys.agent });
    await call("GET", `/api/oss-chat/session/${randomUUID()}`, { headers: asBrowser(browser) });
    await call("GET", "/api/oss-chat/session/nope", { headers: asBrowser(browser) });
    await call("GET", `/api/oss-chat/session/${session}`, { headers: keys.ops });

    // Conversations: the widget's side, then the agent's.
    const visitor = asBrowser(browser);
    const clientId = randomUUID();
    const posted = await call("POST", "/api/oss-chat/message", {
      body: { session_id: session, client_message_id: clientId, body: "Halo" },
      headers: visitor,
    });
    await call("POST", "/api/oss-chat/message", {
      body: { session_id: session, client_message_id: clientId, body: "Halo" },
      headers: visitor,
    });
    await call("POST", "/api/oss-chat/message", { body: { session_id: session, body: "" }, headers: en });
    await call("GET", `/api/oss-chat/session/${session}/messages?min_position=${posted.body.position}`, {
      headers: visitor,
    });
    await call("GET", `/api/oss-chat/session/${session}/messages?limit=0`, { headers: visitor });
    await call("POST", `/api/oss-chat/session/${session}/read`, { body: { up_to_seq: 1 }, headers: visitor });
    await call("PUT", "/api/agent/status", { body: { status: "available" }, headers: keys.agent });
    await call("PUT", "/api/agent/status", { body: { status: "busy" }, headers: keys.agent });
    await call("GET", `/api/agent/queue?min_position=${posted.body.position}`, { headers: keys.agent });
    await call("GET", "/api/agent/queue", { headers: keys.auditor });
    await call("POST", `/api/agent/sessions/${session}/claim`, { headers: keys.agent });
    await call("POST", `/api/agent/sessions/${randomUUID()}/claim`, { headers: keys.agent });
    await call("POST", `/api/agent/sessions/${session}/messages`, {
      body: { body: "Siap" },
      headers: keys.agent,
    });
    await call("GET", `/api/agent/sessions/${session}/messages?after_seq=0`, { headers: keys.agent });
    await call("GET", "/api/agent/sessions?status=active", { headers: keys.agent });
    await call("GET", "/api/agent/sessions?status=closed&q=izin&limit=5", { headers: keys.agent });
    await call("GET", "/api/agent/sessions?status=closed&limit=0", { headers: keys.agent });
    await call("GET", "/api/agent/agents", { headers: keys.agent });
    await call("GET", "/api/agent/agents", { headers: keys.auditor });
    await call("GET", "/api/agent/status", { headers: keys.agent });
    await call("GET", `/api/agent/sessions/${session}`, { headers: keys.agent });
    await call("GET", `/api/agent/sessions/${randomUUID()}`, { headers: keys.agent });
    await call("GET", `/api/agent/users/${start.body.chat_user_id}/sessions`, { headers: keys.agent });
    await call("GET", `/api/agent/users/${start.body.chat_user_id}/sessions?limit=0`, {
      headers: keys.agent,
    });
    await call("POST", `/api/agent/sessions/${session}/read`, {
      body: { up_to_seq: 2 },
      headers: keys.agent,
    });
    await call("POST", `/api/agent/sessions/${session}/transfer`, {
      body: { to_agent_id: randomUUID() },
      headers: keys.agent,
    });
    // The agent's workspace.
    const cannedBody = { shortcut: "salam", title: "Salam", body: "Halo {{contact_name}}", scope: "shared" };
    const canned = await call("POST", "/api/agent/canned-responses", {
      body: cannedBody,
      headers: keys.supervisor,
    });
    await call("POST", "/api/agent/canned-responses", { body: cannedBody, headers: keys.supervisor });
    await call("POST", "/api/agent/canned-responses", { body: cannedBody, headers: keys.agent });
    await call("POST", "/api/agent/canned-responses", {
      body: { ...cannedBody, shortcut: "A" },
      headers: en,
    });
    await call("GET", `/api/agent/canned-responses?min_position=${canned.body.position}`, {
      headers: keys.agent,
    });
    await call("GET", "/api/agent/canned-responses?q=salam&team_id=t1", { headers: keys.agent });
    await call("PUT", `/api/agent/canned-responses/${canned.body.id}`, {
      body: { title: "Salam pagi", language: "id" },
      headers: keys.supervisor,
    });
    await call("PUT", `/api/agent/canned-responses/${canned.body.id}`, {
      body: { title: "" },
      headers: keys.supervisor,
    });
    await call("PUT", `/api/agent/canned-responses/${randomUUID()}`, {
      body: { title: "x" },
      headers: keys.agent,
    });
    await call("GET", `/api/agent/sessions/${session}/canned-responses/${canned.body.id}/render`, {
      headers: keys.agent,
    });
    await call("GET", `/api/agent/sessions/${randomUUID()}/canned-responses/${canned.body.id}/render`, {
      headers: keys.agent,
    });
    await call("POST", `/api/agent/sessions/${session}/notes`, {
      body: { body: "Catatan" },
      headers: keys.agent,
    });
    await call("POST", `/api/agent/sessions/${session}/notes`, { body: { body: "" }, headers: keys.agent });
    await call("POST", `/api/agent/sessions/${randomUUID()}/notes`, {
      body: { body: "x" },
      headers: keys.agent,
    });
    const labelled = await call("PUT", `/api/agent/sessions/${session}/labels`, {
      body: { labels: ["nib"] },
      headers: keys.agent,
    });
    await call("PUT", `/api/agent/sessions/${session}/labels`, {
      body: { labels: ["NIB"] },
      headers: keys.agent,
    });
    await call("PUT", `/api/agent/sessions/${randomUUID()}/labels`, {
      body: { labels: [] },
      headers: keys.agent,
    });
    await call("GET", `/api/agent/queue?label=nib&min_position=${labelled.body.position}`, {
      headers: keys.agent,
    });
    await call("GET", "/api/agent/labels", { headers: keys.agent });
    await call("GET", "/api/agent/labels", { headers: keys.auditor });
    await call("GET", "/api/agent/search?q=halo%20siap&limit=5", { headers: keys.agent });
    await call("GET", "/api/agent/search?q=", { headers: keys.agent });
    await call("GET", "/api/agent/search?q=nib", { headers: keys.supervisor });
    await call("DELETE", `/api/agent/canned-responses/${canned.body.id}`, { headers: keys.agent });
    await call("DELETE", `/api/agent/canned-responses/${canned.body.id}`, { headers: keys.supervisor });
    await call("DELETE", `/api/agent/canned-responses/${canned.body.id}`, { headers: keys.supervisor });

    await call("POST", `/api/oss-chat/session/${session}/rating`, { body: { score: 5 }, headers: visitor });
    await call("POST", `/api/agent/sessions/${session}/close`, { headers: keys.agent });
    await call("POST", `/api/oss-chat/session/${session}/close`, { headers: visitor });
    await call("POST", `/api/oss-chat/session/${session}/rating`, { body: { score: 5 }, headers: visitor });

    const chatUser = start.body.chat_user_id as string;
    await call("GET", `/api/audit/sessions/${session}/events`, { headers: keys.auditor });
    await call("GET", `/api/audit/sessions/${session}/events?format=ndjson`, { headers: keys.auditor });
    await call("GET", `/api/audit/users/${chatUser}/events?limit=1`, { headers: keys.auditor });
    await call("GET", "/api/audit/events?limit=2", { headers: keys.auditor });
    await call("GET", "/api/audit/events?from_position=5&to_position=1", { headers: keys.auditor });
    await call("GET", `/api/audit/sessions/${session}/state?position=${start.body.position}`, {
      headers: keys.auditor,
    });
    await call("GET", `/api/audit/sessions/${randomUUID()}/state?position=1`, { headers: keys.auditor });
    await call("GET", `/api/audit/users/${chatUser}/state?at=${new Date().toISOString()}`, {
      headers: keys.auditor,
    });
    await call("GET", "/api/audit/verify", { headers: keys.auditor });
    await call("GET", "/api/audit/checkpoints", { headers: keys.auditor });
    await call("GET", "/api/audit/verify", { headers: keys.ops });
    await call("GET", "/api/audit/verify");

    await call("GET", "/api/oss-chat/me/export", { headers: token });
    await call("GET", "/api/oss-chat/me/export", {
      headers: await asOssUser(`OSS-${randomUUID()}`, "n@x.co"),
    });
    const subject = `/api/admin/data-subjects/${chatUser}`;
    await call("GET", `${subject}/export`, { headers: keys.privacy });
    await call("GET", `${subject}/export`, { headers: keys.ops });
    await call("POST", `${subject}/erase`, { body: { reason: "nope" }, headers: keys.privacy });
    await call("POST", `/api/admin/data-subjects/${randomUUID()}/erase`, {
      body: { reason: "data_subject_request" },
      headers: keys.privacy,
    });
    await call("POST", `${subject}/erase`, {
      body: { reason: "data_subject_request", reference: "CASE-1" },
      headers: keys.privacy,
    });

    await call("GET", "/api/admin/projections", { headers: keys.ops });
    await call("GET", "/api/admin/projections", { headers: keys.auditor });

    const hook = await call("POST", "/api/admin/webhooks", {
      body: { url: "http://127.0.0.1:9/hook", event_types: ["ChatSessionStarted"], description: "CRM" },
      headers: keys.ops,
    });
    const id = hook.body.id as string;
    await call("POST", "/api/admin/webhooks", {
      body: { url: "ftp://x", event_types: [] },
      headers: keys.ops,
    });
    await call("GET", "/api/admin/webhooks", { headers: keys.ops });
    await call("GET", `/api/admin/webhooks/${id}`, { headers: keys.ops });
    await call("GET", `/api/admin/webhooks/${randomUUID()}`, { headers: keys.ops });
    await call("GET", "/api/admin/webhooks/dead-letters", { headers: keys.ops });
    await call("POST", `/api/admin/webhooks/dead-letters/${randomUUID()}/redeliver`, { headers: keys.ops });
    await call("POST", `/api/admin/webhooks/${id}/redeliver`, { headers: keys.ops });
    await call("POST", `/api/admin/webhooks/${id}/replay`, { body: { from_position: 0 }, headers: keys.ops });
    await call("POST", `/api/admin/webhooks/${id}/replay`, { body: {}, headers: keys.ops });
    await call("DELETE", `/api/admin/webhooks/${id}`, { headers: keys.ops });
    await call("DELETE", `/api/admin/webhooks/${id}`, { headers: keys.agent });

    const period = "from=2026-01-01T00:00:00Z&to=2026-02-01T00:00:00Z&tz=Asia/Jakarta";
    await call("GET", `/api/reports/summary?${period}`, { headers: keys.ops });
    await call("GET", `/api/reports/summary?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z`, {
      headers: keys.ops,
    });
    await call("GET", `/api/reports/summary?${period}`, { headers: keys.auditor });
    await call("GET", `/api/reports/summary?${period}`);
    await call("GET", `/api/reports/timeseries?${period}&metric=sessions_started&interval=day`, {
      headers: keys.ops,
    });
    await call("GET", `/api/reports/agents?${period}`, { headers: keys.agent });
    await call("GET", `/api/reports/sessions?${period}&format=csv`, { headers: keys.ops });

    expect(problems).toEqual([]);
    expect(validator.operations().filter((op) => !validator.exercised.has(op))).toEqual([]);
  });

  test("web/client/api.d.ts (the browser client's types) is generated from this document and current", async () => {
    const served = await (await fetch(`${svc.url}/openapi.json`)).json();
    // The generator reads the document from an app it builds without running: the same one as served here.
    expect(served).toEqual(JSON.parse(JSON.stringify(servedDocument())));
    const root = path.join(__dirname, "..", "..");
    const tsx = path.join(root, "node_modules", ".bin", "tsx");
    // Fails (and says to run `npm run web:api-types`) when a route or a schema changed without regenerating.
    // Asynchronously: the service in this process keeps answering (and closing idle connections) meanwhile.
    await new Promise<void>((resolve, reject) =>
      execFile(tsx, [path.join(root, "scripts", "openapi-types.ts"), "--check"], (err, _out, stderr) =>
        err ? reject(new Error(stderr)) : resolve(),
      ),
    );
  });

  test("a client checking requests against the document refuses what the server refuses, and sends what it takes", async () => {
    const browser = randomUUID();
    const visitor = asBrowser(browser);
    const start = await call("POST", "/api/oss-chat/start", {
      body: { browser_uuid: browser, topic: "Izin" },
    });
    const session = start.body.session_id as string;
    const hook = await call("POST", "/api/admin/webhooks", {
      body: { url: "http://127.0.0.1:9/h", event_types: ["ChatSessionStarted"] },
      headers: keys.ops,
    });
    const agent = keys.agent;
    await call("POST", `/api/agent/sessions/${session}/claim`, { headers: agent });
    const cases: [string, string, unknown, Record<string, string>, "refused" | "taken"][] = [
      ["POST", "/api/oss-chat/start", { browser_uuid: browser, topic: "Lagi" }, {}, "taken"],
      ["POST", "/api/oss-chat/start", { browser_uuid: browser, topic: " \t\n " }, {}, "refused"],
      ["POST", "/api/oss-chat/start", { browser_uuid: browser, topic: "" }, {}, "refused"],
      ["POST", "/api/oss-chat/start", { topic: "siapa?" }, {}, "refused"],
      ["POST", "/api/oss-chat/start", { oss_user_id: "U-1", topic: "x" }, {}, "refused"],
      [
        "POST",
        "/api/oss-chat/start",
        { oss_user_id: "   ", email: "a@example.com", topic: "x" },
        {},
        "refused",
      ],
      ["POST", "/api/oss-chat/start", { browser_uuid: browser, topic: "x".repeat(501) }, {}, "refused"],
      ["POST", "/api/oss-chat/message", { session_id: session, body: "😀".repeat(4000) }, visitor, "taken"],
      ["POST", "/api/oss-chat/message", { session_id: session, body: "x".repeat(4001) }, visitor, "refused"],
      ["POST", "/api/oss-chat/message", { session_id: session, body: "  \n" }, visitor, "refused"],
      ["POST", "/api/oss-chat/message", { session_id: session, body: "bel\u0007" }, visitor, "refused"],
      ["POST", "/api/oss-chat/message", { session_id: session, body: "tab\tand\r\nlines" }, visitor, "taken"],
      [
        "POST",
        "/api/oss-chat/contact",
        {
          session_id: session,
          contact_name: "Sari",
          contact_email: "s@example.com",
          contact_phone: "081234567890",
        },
        visitor,
        "taken",
      ],
      [
        "POST",
        "/api/oss-chat/contact",
        { session_id: session, contact_name: "Sari", contact_email: "s@example.com", contact_phone: "  " },
        visitor,
        "refused",
      ],
      [
        "POST",
        "/api/oss-chat/contact",
        { session_id: session, contact_name: "Sari", contact_email: "s@example.com", contact_phone: "" },
        visitor,
        "refused",
      ],
      [
        "POST",
        "/api/oss-chat/contact",
        { session_id: session, contact_name: " ", contact_email: "s@example.com" },
        visitor,
        "refused",
      ],
      [
        "POST",
        `/api/oss-chat/session/${session}/rating`,
        { score: 5, comment: "esc\u001b[31m" },
        visitor,
        "refused",
      ],
      [
        "POST",
        `/api/oss-chat/session/${session}/rating`,
        { score: 5, comment: "x".repeat(1001) },
        visitor,
        "refused",
      ],
      ["POST", `/api/agent/sessions/${session}/read`, { up_to_seq: 2 ** 31 }, agent, "refused"],
      ["POST", `/api/agent/sessions/${session}/read`, { up_to_seq: 1 }, agent, "taken"],
      ["POST", "/api/admin/webhooks", { url: "", event_types: ["ChatSessionStarted"] }, keys.ops, "refused"],
      [
        "POST",
        "/api/admin/webhooks",
        { url: "   ", event_types: ["ChatSessionStarted"] },
        keys.ops,
        "refused",
      ],
      [
        "POST",
        "/api/admin/webhooks",
        { url: "ftp://x/y", event_types: ["ChatSessionStarted"] },
        keys.ops,
        "refused",
      ],
      [
        "POST",
        "/api/admin/webhooks",
        { url: "HTTP://127.0.0.1:9/up", event_types: ["ChatSessionStarted"] },
        keys.ops,
        "taken",
      ],
      ["POST", `/api/admin/webhooks/${hook.body.id}/replay`, { from_position: "0" }, keys.ops, "refused"],
      ["POST", `/api/admin/webhooks/${hook.body.id}/replay`, { from_position: null }, keys.ops, "refused"],
      ["POST", `/api/admin/webhooks/${hook.body.id}/replay`, { from_position: 0 }, keys.ops, "taken"],
    ];
    const disagreements: string[] = [];
    for (const [method, path, body, headers, expected] of cases) {
      const res = await call(method, path, { body, headers });
      const server = res.status === 400 ? "refused" : res.status < 300 ? "taken" : `answered ${res.status}`;
      const client = validator.requestBodyErrors(method, path, body).length > 0 ? "refused" : "taken";
      if (server !== expected || client !== expected)
        disagreements.push(
          `${path} ${JSON.stringify(body).slice(0, 60)}: server ${server}, document ${client}`,
        );
    }
    const queries: [string, Record<string, string>, "refused" | "taken"][] = [
      [`/api/oss-chat/session/${session}/messages?after_seq=2147483647`, visitor, "taken"],
      [`/api/oss-chat/session/${session}/messages?after_seq=2147483648`, visitor, "refused"],
      [`/api/agent/sessions/${session}/messages?after_seq=2147483648`, agent, "refused"],
      [`/api/agent/sessions/${session}/messages?limit=201`, agent, "refused"],
      [`/api/audit/events?from_position=9007199254740992`, keys.auditor, "refused"],
      ["/api/audit/verify?stream=", keys.auditor, "refused"],
    ];
    for (const [path, headers, expected] of queries) {
      const res = await call("GET", path, { headers });
      const server = res.status === 400 ? "refused" : res.status < 300 ? "taken" : `answered ${res.status}`;
      const client = validator.queryErrors("GET", path).length > 0 ? "refused" : "taken";
      if (server !== expected || client !== expected)
        disagreements.push(`GET ${path}: server ${server}, document ${client}`);
    }
    expect(disagreements).toEqual([]);
    expect(problems).toEqual([]);
  });

  test("every operation that writes a chat user's stream documents 410 data_subject_erased; staffKey names every role", () => {
    const paths = validator.document.paths as Record<
      string,
      Record<string, { responses: Record<string, unknown> }>
    >;
    const writes = [
      ["post", "/api/oss-chat/start"],
      ["post", "/api/oss-chat/contact"],
      ["post", "/api/oss-chat/link-user"],
      ["post", "/api/oss-chat/message"],
      ["post", "/api/oss-chat/session/{id}/close"],
      ["post", "/api/oss-chat/session/{id}/rating"],
      ["post", "/api/oss-chat/session/{id}/read"],
      ["post", "/api/agent/sessions/{id}/claim"],
      ["post", "/api/agent/sessions/{id}/messages"],
      ["post", "/api/agent/sessions/{id}/transfer"],
      ["post", "/api/agent/sessions/{id}/close"],
      ["post", "/api/agent/sessions/{id}/read"],
    ] as const;
    for (const [method, path] of writes) {
      expect([path, Object.keys(paths[path]?.[method]?.responses ?? {})]).toEqual([
        path,
        expect.arrayContaining(["410"]),
      ]);
    }
    const schemes = (
      validator.document.components as { securitySchemes: Record<string, { description: string }> }
    ).securitySchemes;
    for (const role of ["agent", "auditor", "ops", "privacy"])
      expect(schemes.staffKey?.description).toContain(role);
  });

  test("GET /docs serves the viewer from this server, not a CDN", async () => {
    const page = await fetch(`${svc.url}/docs`).then((r) => r.text());
    const sources = [...page.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1] as string);
    expect(sources.length).toBeGreaterThanOrEqual(3);
    for (const source of sources) {
      expect(source.startsWith("/")).toBe(true);
      const asset = await fetch(`${svc.url}${source}`);
      expect([source, asset.status]).toEqual([source, 200]);
    }
  });
});
