import autocannon from "autocannon";

export interface Shot {
  /** The request's own method, where one phase mixes them (else the phase's). */
  readonly method?: "GET" | "POST";
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
            method: s.method ?? method,
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

/**
 * StartChats in the background at about `ratePerS` (a few connections, each paced) until stop(); errors
 * (the service briefly unreachable) are counted, not thrown.
 */
export function backgroundLoad(baseUrl: string, shot: () => Shot, ratePerS: number, connections = 4) {
  let running = true;
  let sent = 0;
  let failed = 0;
  const gapMs = (1000 * connections) / Math.max(1, ratePerS);
  const loops = Array.from({ length: connections }, async (_, c) => {
    await new Promise((r) => setTimeout(r, (gapMs * c) / connections));
    while (running) {
      const started = Date.now();
      const s = shot();
      try {
        const res = await fetch(`${baseUrl}${s.path}`, {
          method: "POST",
          headers: { "content-type": "application/json", ...s.headers },
          body: JSON.stringify(s.body),
        });
        await res.arrayBuffer();
        if (res.status >= 300) failed++;
      } catch {
        failed++;
      }
      sent++;
      const wait = gapMs - (Date.now() - started);
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
  });
  return {
    async stop() {
      running = false;
      await Promise.all(loops);
      return { sent, failed };
    },
  };
}
