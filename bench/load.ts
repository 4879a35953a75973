import autocannon from "autocannon";

export interface Shot {
  readonly path: string;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

export interface EndpointResult {
  readonly rps: number;
  readonly p50_ms: number;
  readonly p99_ms: number;
  readonly requests: number;
  /** Non-2xx answers plus connection errors and timeouts. */
  readonly errors: number;
}

/**
 * Drives one endpoint at fixed concurrency for `durationS`; `shot(i)` builds the i-th request, so every request
 * carries its own body and headers. `overallRate` caps the total rate (requests/s) instead of running flat out.
 */
export async function drive(
  baseUrl: string,
  method: "GET" | "POST",
  shot: (i: number) => Shot,
  opts: { connections: number; durationS: number; overallRate?: number },
): Promise<EndpointResult> {
  let i = 0;
  const result = await autocannon({
    url: baseUrl,
    connections: opts.connections,
    duration: opts.durationS,
    overallRate: opts.overallRate,
    timeout: 10,
    requests: [
      {
        method,
        setupRequest: (req) => {
          const s = shot(i++);
          const headers = { ...req.headers, ...s.headers };
          if (s.body !== undefined) headers["content-type"] = "application/json";
          return {
            ...req,
            method,
            path: s.path,
            headers,
            body: s.body === undefined ? undefined : JSON.stringify(s.body),
          };
        },
      },
    ],
  });
  return {
    rps: round(result.requests.total / result.duration),
    p50_ms: result.latency.p50,
    p99_ms: result.latency.p99,
    requests: result.requests.total,
    errors: result.non2xx + result.errors + result.timeouts,
  };
}

export const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}
