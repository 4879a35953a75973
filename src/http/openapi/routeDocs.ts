import type { ZodType } from "zod";

/** Who may call an operation: each entry is one way in (OpenAPI security requirements are alternatives). */
export type Auth = "none" | "browser" | "ossToken" | "staffKey";

export interface ResponseDoc {
  readonly description: string;
  /** The JSON body's schema; omitted for bodies that are not JSON (give `contentType`) or empty. */
  readonly schema?: ZodType;
  readonly contentType?: string;
  /** Another media type the same status may answer with (e.g. NDJSON with `format=ndjson`). */
  readonly alsoAs?: string;
}

/** One operation's documentation, declared next to the route it describes. */
export interface RouteDoc {
  readonly method: "get" | "post" | "put" | "patch" | "delete";
  /** The express path, e.g. `/api/oss-chat/session/:id`. */
  readonly path: string;
  readonly summary: string;
  readonly description?: string;
  readonly tags: readonly string[];
  readonly auth: readonly Auth[];
  /**
   * The schema the route validates its path and query parameters with (the one it passes to `parse`):
   * properties named in the path (`:id`) are path parameters, the others query parameters.
   */
  readonly input?: ZodType;
  readonly body?: ZodType;
  readonly responses: Readonly<Record<number, ResponseDoc>>;
}

const docs = new WeakMap<object, RouteDoc[]>();

/** Declares the documentation of a route registered on `router` (an express Router or app). */
export function describeRoute(router: object, doc: RouteDoc): void {
  const list = docs.get(router) ?? [];
  list.push(doc);
  docs.set(router, list);
}

/** The documented routes of one router or app. */
export function docsOf(router: object): readonly RouteDoc[] {
  return docs.get(router) ?? [];
}
