// JSON over HTTP against the API, typed from its OpenAPI document (api.d.ts, `npm run web:api-types`).
import type { paths } from "./api";

type Method = "get" | "post" | "put" | "delete";
type JsonOf<R> = R extends { content: { "application/json": infer T } } ? T : never;

/** The operation at a path and method. */
export type Operation<P extends keyof paths, M extends Method> = NonNullable<paths[P][M]>;
/** Its JSON request body (undefined when it takes none). */
export type RequestBody<O> = O extends { requestBody: { content: { "application/json": infer B } } }
  ? B
  : O extends { requestBody?: { content: { "application/json": infer B } } }
    ? B | undefined
    : undefined;
/** Its successful (2xx) JSON answer. */
export type Answer<O> = O extends { responses: infer R }
  ? JsonOf<R[Extract<keyof R, 200 | 201 | 202>]>
  : never;

/** An answer that is not 2xx: `code` is the API's stable, language-free code; `message` is in the asked language. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** The request never got an answer (offline, DNS, connection reset): worth retrying as is. */
export class NetworkError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "NetworkError";
  }
}

export interface HttpOptions {
  /** The API's origin, e.g. "https://chat.oss.go.id" ("" for the page's own). */
  readonly baseUrl: string;
  /** Headers every request carries (credentials, Accept-Language), read at each call. */
  readonly headers: () => Record<string, string>;
  readonly fetch?: typeof fetch;
}

/** A typed caller: `call("post", "/api/oss-chat/start", { params: {}, body: {...} })`. */
export function createHttp(options: HttpOptions) {
  const doFetch = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));
  return async function call<P extends keyof paths, M extends Method>(
    method: M,
    path: P,
    request: {
      readonly params?: Record<string, string>;
      readonly query?: Record<string, string | number | undefined>;
      readonly body?: RequestBody<Operation<P, M>>;
      readonly headers?: Record<string, string>;
    } = {},
  ): Promise<Answer<Operation<P, M>>> {
    let url = String(path).replace(/\{(\w+)\}/g, (_, name: string) =>
      encodeURIComponent(request.params?.[name] ?? ""),
    );
    const query = Object.entries(request.query ?? {}).filter(([, v]) => v !== undefined);
    if (query.length > 0) url += `?${new URLSearchParams(query.map(([k, v]) => [k, String(v)])).toString()}`;
    const headers: Record<string, string> = { ...options.headers(), ...request.headers };
    if (request.body !== undefined) headers["Content-Type"] = "application/json";
    let res: Response;
    try {
      res = await doFetch(options.baseUrl + url, {
        method: method.toUpperCase(),
        headers,
        body: request.body === undefined ? undefined : JSON.stringify(request.body),
        credentials: "omit",
      });
    } catch (err) {
      throw new NetworkError(err instanceof Error ? err.message : String(err));
    }
    const data = (await res.json().catch(() => null)) as Record<string, unknown> | null;
    if (!res.ok) {
      const message = typeof data?.error === "string" ? data.error : `HTTP ${res.status}`;
      throw new ApiError(
        res.status,
        typeof data?.code === "string" ? data.code : `http_${res.status}`,
        message,
      );
    }
    return data as Answer<Operation<P, M>>;
  };
}

export type Http = ReturnType<typeof createHttp>;
