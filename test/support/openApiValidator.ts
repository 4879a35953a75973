import Ajv2020, { type ValidateFunction } from "ajv/dist/2020";
import addFormats from "ajv-formats";

type Json = Record<string, any>;

/** An operation of an OpenAPI document, found by method and concrete path. */
interface Operation {
  readonly key: string;
  readonly responses: Json;
  readonly requestBody?: Json;
  readonly parameters?: Json[];
}

/** Checks real answers against an OpenAPI 3.1 document: documented status, media type and JSON body schema. */
export class OpenApiValidator {
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true });
  /** Query parameters arrive as text: a generated client would send the number as text too. */
  private readonly queryAjv = new Ajv2020({ strict: false, allErrors: true, coerceTypes: true });
  private readonly compiled = new Map<object, ValidateFunction>();
  private readonly matchers: { method: string; pattern: RegExp; operation: Operation }[] = [];
  /** Operations a checked answer came from ("get /api/…"). */
  readonly exercised = new Set<string>();

  constructor(readonly document: Json) {
    addFormats(this.ajv);
    addFormats(this.queryAjv);
    for (const [path, item] of Object.entries(document.paths as Json)) {
      const pattern = new RegExp(`^${path.replace(/\{\w+\}/g, "[^/]+")}$`);
      for (const [method, operation] of Object.entries(item as Json)) {
        this.matchers.push({
          method,
          pattern,
          operation: {
            key: `${method} ${path}`,
            ...(operation as Json),
            responses: (operation as Json).responses,
          },
        });
      }
    }
  }

  /** Every operation of the document. */
  operations(): string[] {
    return this.matchers.map((m) => m.operation.key);
  }

  private find(method: string, url: string) {
    const path = new URL(url, "http://x").pathname;
    const match = this.matchers.find((m) => m.method === method.toLowerCase() && m.pattern.test(path));
    if (!match) throw new Error(`${method} ${path}: no documented operation`);
    return match.operation;
  }

  /** Why a client validating against the document would refuse to send this JSON body (empty: it would send it). */
  requestBodyErrors(method: string, url: string, body: unknown): string[] {
    const schema = this.find(method, url).requestBody?.content?.["application/json"]?.schema;
    if (!schema) return ["no documented request body"];
    const validate = this.ajv.compile(schema);
    return validate(body)
      ? []
      : (validate.errors ?? []).map((e) => `${e.instancePath || "body"} ${e.message}`);
  }

  /** Why a client would refuse the URL's query parameters (each against its documented schema). */
  queryErrors(method: string, url: string): string[] {
    const parameters = this.find(method, url).parameters ?? [];
    const query = new URL(url, "http://x").searchParams;
    const problems: string[] = [];
    for (const [name, value] of query) {
      const param = parameters.find((p) => p.name === name && p.in === "query");
      if (!param) {
        problems.push(`${name}: not a documented parameter`);
        continue;
      }
      const holder = { value };
      const validate = this.queryAjv.compile({ type: "object", properties: { value: param.schema } });
      if (!validate(holder)) problems.push(...(validate.errors ?? []).map((e) => `${name} ${e.message}`));
    }
    return problems;
  }

  /** Problems with one answer (empty when it matches the document). */
  check(method: string, url: string, status: number, contentType: string | null, body: unknown): string[] {
    const path = new URL(url, "http://x").pathname;
    const match = this.matchers.find((m) => m.method === method.toLowerCase() && m.pattern.test(path));
    if (!match) return [`${method} ${path}: no documented operation`];
    this.exercised.add(match.operation.key);
    const response = match.operation.responses[String(status)];
    if (!response) return [`${match.operation.key}: status ${status} is not documented`];
    const type = (contentType ?? "").split(";")[0]?.trim() ?? "";
    const content = response.content as Json | undefined;
    if (!content)
      return type === "" || status === 204 ? [] : [`${match.operation.key} ${status}: body not documented`];
    const media = content[type];
    if (!media) return [`${match.operation.key} ${status}: ${type} is not documented`];
    if (type !== "application/json") return [];
    let validate = this.compiled.get(media.schema);
    if (!validate) {
      validate = this.ajv.compile(media.schema);
      this.compiled.set(media.schema, validate);
    }
    if (validate(body)) return [];
    return (validate.errors ?? []).map(
      (e) =>
        `${match.operation.key} ${status}: ${e.instancePath || "body"} ${e.message} ${JSON.stringify(e.params)}`,
    );
  }
}
