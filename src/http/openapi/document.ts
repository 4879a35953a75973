import { type ZodType, z } from "zod";
import { errorBody } from "../schemas/common";
import { type Auth, docsOf, type RouteDoc } from "./routeDocs";

type JsonSchema = Record<string, unknown>;

/** A zod schema as JSON Schema 2020-12 (OpenAPI 3.1's dialect): what a client sends, or what it receives. */
function jsonSchema(schema: ZodType, io: "input" | "output"): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: "any" }) as JsonSchema;
  return rest;
}

/** An express router's stack, as far as documentation needs it. */
interface Layer {
  readonly route?: { path: string; methods: Record<string, boolean> };
  readonly handle: { stack?: Layer[] };
}

/** Every router mounted in an app (and the app itself), depth first. */
function routersOf(app: { router?: { stack: Layer[] } }): object[] {
  const found: object[] = [app];
  const walk = (stack: Layer[]) => {
    for (const layer of stack) {
      if (layer.handle.stack) {
        found.push(layer.handle);
        walk(layer.handle.stack);
      }
    }
  };
  walk(app.router?.stack ?? []);
  return found;
}

/** Every route an express app answers: method and express path. */
export function routesOf(app: object): { method: string; path: string }[] {
  const routes: { method: string; path: string }[] = [];
  const walk = (stack: Layer[]) => {
    for (const layer of stack) {
      if (layer.route) {
        for (const method of Object.keys(layer.route.methods))
          routes.push({ method, path: layer.route.path });
      } else if (layer.handle.stack) walk(layer.handle.stack);
    }
  };
  walk((app as { router?: { stack: Layer[] } }).router?.stack ?? []);
  return routes;
}

/** Every documented route of an app: the docs its routers declared next to their routes. */
export function documentedRoutes(app: object): RouteDoc[] {
  return routersOf(app as { router?: { stack: Layer[] } }).flatMap((r) => [...docsOf(r)]);
}

export const openApiPath = (expressPath: string) => expressPath.replace(/:(\w+)/g, "{$1}");

function parameters(doc: RouteDoc): JsonSchema[] {
  const inPath = new Set([...doc.path.matchAll(/:(\w+)/g)].map((m) => m[1]));
  const s = doc.input ? jsonSchema(doc.input, "input") : {};
  const required = new Set((s.required as string[] | undefined) ?? []);
  const properties = Object.entries((s.properties as Record<string, JsonSchema>) ?? {});
  const missing = [...inPath].filter((name) => !properties.some(([p]) => p === name));
  if (missing.length > 0) throw new Error(`${doc.path}: path parameter ${missing.join(", ")} has no schema`);
  const params = properties.map(([name, schema]) => ({
    name,
    in: inPath.has(name) ? "path" : "query",
    required: inPath.has(name) || required.has(name),
    schema,
    ...(typeof schema.description === "string" ? { description: schema.description } : {}),
  }));
  const commandOnApi = doc.method !== "get" && doc.path.startsWith("/api");
  return [
    ...params,
    { $ref: "#/components/parameters/AcceptLanguage" },
    ...(commandOnApi ? [{ $ref: "#/components/parameters/IdempotencyKey" }] : []),
  ];
}

const SECURITY: Record<Auth, Record<string, string[]>> = {
  none: {},
  browser: { browserUuid: [] },
  ossToken: { ossToken: [] },
  staffKey: { staffKey: [] },
};

function operation(doc: RouteDoc): JsonSchema {
  const responses: Record<string, JsonSchema> = {};
  const all = { ...doc.responses };
  // Limits every route shares: the rate limits on /api, the body limit, and the catch-all 500.
  const shared: Record<number, string> = { 500: "Internal error (no details are given)" };
  if (doc.path.startsWith("/api")) {
    // Credentials are read before any route: a malformed X-Browser-UUID or a bad token is refused anywhere.
    shared[400] = "Invalid input (also: a malformed X-Browser-UUID header)";
    shared[401] = "A credential that was sent but proves nothing";
    shared[429] = "Over a rate limit (see Retry-After)";
    if (doc.method !== "get") {
      shared[409] = "Conflicts with the current state (also: a request with this Idempotency-Key still runs)";
      shared[422] = "This Idempotency-Key was used for another request";
    }
  }
  if (doc.body) shared[413] = "Body over 64 kB";
  for (const [status, description] of Object.entries(shared)) {
    all[Number(status)] ??= { description, schema: errorBody };
  }
  for (const [status, response] of Object.entries(all)) {
    const text = (type: string | undefined) => (type ? { [type]: { schema: { type: "string" } } } : {});
    const content = response.schema
      ? { "application/json": { schema: jsonSchema(response.schema, "output") }, ...text(response.alsoAs) }
      : response.contentType
        ? text(response.contentType)
        : undefined;
    responses[status] = { description: response.description, ...(content ? { content } : {}) };
  }
  return {
    operationId: `${doc.method}${doc.path.replace(/[:/{}-](\w?)/g, (_m, c: string) => c.toUpperCase())}`,
    summary: doc.summary,
    ...(doc.description ? { description: doc.description } : {}),
    tags: [...doc.tags],
    security: doc.auth.map((a) => SECURITY[a]),
    parameters: parameters(doc),
    ...(doc.body
      ? {
          requestBody: {
            required: true,
            content: { "application/json": { schema: jsonSchema(doc.body, "input") } },
          },
        }
      : {}),
    responses,
  };
}

/** The OpenAPI 3.1 document of an app, generated from the zod schemas its routes validate with. */
export function buildOpenApiDocument(app: object, info: { title: string; version: string }): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const doc of documentedRoutes(app)) {
    const path = openApiPath(doc.path);
    paths[path] = { ...(paths[path] ?? {}), [doc.method]: operation(doc) };
  }
  return {
    openapi: "3.1.0",
    info: {
      ...info,
      description:
        "The backend of the OSS portal's live-chat widget. Messages follow Accept-Language (Indonesian by " +
        "default, English with `en`); error `code`s are stable.",
    },
    paths,
    components: {
      parameters: {
        IdempotencyKey: {
          name: "Idempotency-Key",
          in: "header",
          required: false,
          schema: { type: "string", format: "uuid" },
          description:
            "A UUID per intended command: a retry with the same key, caller and body gets the first answer again " +
            "(`Idempotency-Replayed: true`) and runs nothing; the same key with another body is 422",
        },
        AcceptLanguage: {
          name: "Accept-Language",
          in: "header",
          required: false,
          schema: { type: "string", examples: ["id", "en"] },
          description: "Language of messages: Indonesian (`id`, the default) or English (`en`)",
        },
      },
      securitySchemes: {
        browserUuid: {
          type: "apiKey",
          in: "header",
          name: "X-Browser-UUID",
          description: "The anonymous visitor's browser UUID (kept in the widget's localStorage)",
        },
        ossToken: {
          type: "http",
          scheme: "bearer",
          bearerFormat: "JWT",
          description: "Identity token signed by the OSS portal (sub = oss_user_id, email, exp)",
        },
        staffKey: {
          type: "http",
          scheme: "bearer",
          bearerFormat: "lcs_…",
          description: "Staff API key (roles agent, auditor, ops, privacy) from `livechat keys create`",
        },
      },
    },
  };
}
