import { randomUUID } from "node:crypto";
import fc from "fast-check";
import { createStaffKey } from "../../src/auth/staffKeys";
import { asBrowser, asOssUser, bearer } from "../support/identity";
import { OpenApiValidator } from "../support/openApiValidator";
import { startTestService, type TestService } from "../support/testService";

// Requests generated from the OpenAPI document itself: every operation, every way in, values at and past each
// documented bound, hostile text. No answer is a 5xx, and every answer (status and body) is one the document
// lists. Bounded: about 20 requests per operation.
const RUNS_PER_OPERATION = 20;

type Schema = Record<string, any>;

let svc: TestService;
let validator: OpenApiValidator;
const credentials: Record<string, Record<string, string>> = {};
const known: Record<string, string> = {};

beforeAll(async () => {
  svc = await startTestService({ WEBHOOK_ALLOW_PRIVATE: "true" });
  for (const role of ["agent", "auditor", "ops", "privacy"] as const) {
    credentials[role] = bearer((await createStaffKey(svc.database.knex, { name: role, role })).key);
  }
  const browser = randomUUID();
  const ossUser = `OSS-${randomUUID()}`;
  credentials.none = {};
  credentials.browser = asBrowser(browser);
  credentials.token = await asOssUser(ossUser, "prop@example.com");
  const started = await svc.post("/api/oss-chat/start", { browser_uuid: browser, topic: "Properti" });
  known.session = started.body.session_id;
  known.chatUser = started.body.chat_user_id;
  known.browser = browser;
  const hook = await svc.post(
    "/api/admin/webhooks",
    { url: "http://127.0.0.1:9/prop", event_types: ["ChatSessionStarted"] },
    credentials.ops,
  );
  known.webhook = hook.body.id;
  validator = new OpenApiValidator((await svc.get("/openapi.json")).body as Record<string, unknown>);
});
afterAll(async () => svc.stop());

const hostile = fc.constantFrom<unknown>(
  "",
  " ",
  "\u0000",
  "a\u0007b",
  "\ud800",
  "'; DROP TABLE events; --",
  "x".repeat(5000),
  -1,
  2 ** 31,
  2 ** 53,
  1.5,
  null,
  true,
  [],
  {},
);

/** Values for a JSON Schema (the subset zod writes): mostly inside its bounds, some exactly at and just past them. */
function valuesOf(schema: Schema, depth = 0): fc.Arbitrary<unknown> {
  const good = inside(schema, depth);
  return fc.oneof({ weight: 6, arbitrary: good }, { weight: 1, arbitrary: hostile });
}

function inside(schema: Schema, depth: number): fc.Arbitrary<unknown> {
  if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as unknown[]));
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (Array.isArray(schema.anyOf) && schema.type === undefined)
    return fc.oneof(...(schema.anyOf as Schema[]).map((s) => inside(s, depth)));
  switch (schema.type) {
    case "null":
      return fc.constant(null);
    case "boolean":
      return fc.boolean();
    case "integer":
    case "number": {
      const min = (schema.minimum as number | undefined) ?? -1000;
      const max = (schema.maximum as number | undefined) ?? 1000;
      return fc.oneof(
        fc.integer({ min: Math.max(min, -1_000_000), max: Math.min(max, Math.max(min, -1_000_000) + 1000) }),
        fc.constantFrom(min, max, min - 1, max + 1),
      );
    }
    case "string":
      return stringOf(schema);
    case "array": {
      const items = (schema.items as Schema | undefined) ?? {};
      return fc.array(valuesOf(items, depth + 1), {
        minLength: Math.min((schema.minItems as number | undefined) ?? 0, 3),
        maxLength: Math.min((schema.maxItems as number | undefined) ?? 3, 3),
      });
    }
    case "object": {
      if (depth > 3) return fc.constant({});
      const properties = (schema.properties as Record<string, Schema> | undefined) ?? {};
      const required = (schema.required as string[] | undefined) ?? [];
      const record = fc.record(
        Object.fromEntries(Object.entries(properties).map(([k, s]) => [k, valuesOf(s, depth + 1)])),
        { requiredKeys: required.filter((k) => k in properties) },
      );
      return record;
    }
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

function stringOf(schema: Schema): fc.Arbitrary<unknown> {
  const max = (schema.maxLength as number | undefined) ?? 100;
  const min = (schema.minLength as number | undefined) ?? 0;
  switch (schema.format) {
    case "uuid":
      return fc.oneof(fc.constantFrom(...Object.values(known)), fc.uuid());
    case "email":
      return fc.constantFrom("prop@example.com", "Budi.Santoso+chat@perusahaan.co.id");
    case "date-time":
      return fc.date({ noInvalidDate: true }).map((d) => d.toISOString());
  }
  return fc.oneof(
    fc.string({ minLength: min, maxLength: Math.min(max, 40) }),
    fc.constantFrom(
      "x".repeat(max),
      "x".repeat(max + 1),
      "nul\u0000",
      "  ",
      "http://127.0.0.1:9/p",
      `chatSession-${known.session}`,
    ),
  );
}

const pathValue = () =>
  fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...Object.values(known)) },
    { weight: 1, arbitrary: fc.uuid() },
    { weight: 1, arbitrary: fc.constantFrom("x", "%00", "%FF", "00000000-0000-0000-0000-000000000000") },
  );

const asQueryText = (v: unknown) =>
  encodeURIComponent((typeof v === "string" ? v : JSON.stringify(v)).slice(0, 3000).toWellFormed());

/** Who may call a path, so most requests get past authorization to the handler. */
function ownerOf(path: string): string {
  if (path.startsWith("/api/agent")) return "agent";
  if (path.startsWith("/api/audit")) return "auditor";
  if (path.startsWith("/api/admin/data-subjects")) return "privacy";
  if (path.startsWith("/api/admin") || path === "/metrics") return "ops";
  return path.includes("/me/") || path.includes("link-user") ? "token" : "browser";
}

describe("requests generated from the OpenAPI document", () => {
  test("no operation answers a 5xx or anything the document does not list", async () => {
    const problems: string[] = [];
    const paths = validator.document.paths as Record<string, Record<string, Schema>>;
    let sent = 0;
    for (const [template, item] of Object.entries(paths)) {
      for (const [method, operation] of Object.entries(item)) {
        const parameters = ((operation.parameters as Schema[] | undefined) ?? []).filter((p) => p.name);
        const inPath = parameters.filter((p) => p.in === "path");
        const inQuery = parameters.filter((p) => p.in === "query");
        const bodySchema = operation.requestBody?.content?.["application/json"]?.schema as Schema | undefined;
        const request = fc.record({
          path: fc.tuple(...inPath.map(() => pathValue()), fc.constant(null)),
          query: fc.tuple(
            ...inQuery.map((p) => fc.option(valuesOf(p.schema as Schema), { nil: undefined })),
            fc.constant(undefined),
          ),
          body: bodySchema ? valuesOf(bodySchema) : fc.constant(undefined),
          who: fc.oneof(
            { weight: 3, arbitrary: fc.constant(ownerOf(template)) },
            { weight: 1, arbitrary: fc.constantFrom(...Object.keys(credentials)) },
          ),
        });
        await fc.assert(
          fc.asyncProperty(request, async (r) => {
            let url = template;
            inPath.forEach((p, i) => {
              url = url.replace(`{${p.name}}`, String(r.path[i]));
            });
            const query = inQuery
              .map((p, i) => [p.name, r.query[i]] as const)
              .filter(([, v]) => v !== undefined)
              .map(([k, v]) => `${k}=${asQueryText(v)}`)
              .join("&");
            if (query) url += `?${query}`;
            const res = await fetch(`${svc.url}${url}`, {
              method: method.toUpperCase(),
              headers: {
                ...(credentials[r.who] ?? {}),
                ...(r.body === undefined ? {} : { "content-type": "application/json" }),
              },
              body: r.body === undefined ? undefined : JSON.stringify(r.body),
            });
            sent++;
            const type = res.headers.get("content-type");
            const text = await res.text();
            const body = type?.startsWith("application/json") ? JSON.parse(text) : text;
            const found = validator.check(method, url, res.status, type, body);
            if (res.status >= 500) found.push(`${method} ${url}: ${res.status} ${text.slice(0, 200)}`);
            problems.push(
              ...found.map((f) => `${f} (as ${r.who}, ${JSON.stringify(r.body)?.slice(0, 120)})`),
            );
          }),
          { numRuns: RUNS_PER_OPERATION },
        );
      }
    }
    expect(sent).toBeGreaterThan(40 * RUNS_PER_OPERATION);
    expect([...new Set(problems)].slice(0, 20)).toEqual([]);
  }, 240_000);
});
