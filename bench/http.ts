import { randomUUID } from "node:crypto";
import { Client } from "pg";
import { mintIdentityToken } from "../src/auth/identityTokens";
import { cpuMeter } from "./cpuTime";
import { type LagResult, sampleLag, waitForProjector } from "./lag";
import { drive, type EndpointResult, round, type Shot } from "./load";
import { interleave, median, type RoundRatio, roundRatio } from "./rounds";
import type { ServerProcess } from "./servers";

export const endpoints = ["startchat", "setcontact", "linkuser", "history", "session", "mixed"] as const;
export type Endpoint = (typeof endpoints)[number];

export interface HttpResults {
  readonly es: Record<Endpoint, EndpointResult>;
  readonly crud: Record<Endpoint, EndpointResult>;
  /** Per endpoint: the median of the per-round ES/CRUD ratios and their spread. */
  readonly ratios: Record<Endpoint, RoundRatio>;
  /**
   * CPU per request (the server process and its database's Postgres backends, from /proc), summed over the
   * rounds; `ratio`: the baseline's CPU per request over the product's, per round (1.0: as cheap as CRUD). Less
   * sensitive to a busy machine than requests/s: other work takes CPU away, it does not add to this.
   */
  readonly cpu: Record<Endpoint, CpuPerRequest>;
  readonly rounds: number;
  readonly round_s: number;
  readonly lagAtMax: LagResult & { readonly achieved_rps: number };
  readonly lagAtHalf: LagResult & { readonly rate_rps: number; readonly achieved_rps: number };
  /** At a fixed offered rate (BENCH_LAG_RATE), whatever the run reached: the lag target applies here. */
  readonly lagFixed: LagResult & { readonly rate_rps: number; readonly achieved_rps: number };
  readonly linkedUnique: { readonly es: number; readonly crud: number };
}

export interface CpuPerRequest {
  readonly es: { readonly node_us: number; readonly postgres_us: number };
  readonly crud: { readonly node_us: number; readonly postgres_us: number };
  readonly ratio: RoundRatio;
}

export interface Side {
  readonly name: "es" | "crud";
  readonly server: ServerProcess;
  readonly databaseUrl: string;
  chats: { sessionId: string; browser: string; token: string }[];
}

/** The sessions the StartChat phase created, with their browsers, and a token for a new OSS user per browser. */
export async function createdChats(side: Pick<Side, "name" | "databaseUrl">, secret: string, run: string) {
  const db = new Client({ connectionString: side.databaseUrl });
  await db.connect();
  const { rows } = await db.query<{ id: string; browser_uuid: string }>(
    `SELECT s.id, u.browser_uuid FROM chat_sessions s JOIN chat_users u ON u.id = s.chat_user_id
     WHERE u.browser_uuid IS NOT NULL ORDER BY s.created_at`,
  );
  await db.end();
  const key = new TextEncoder().encode(secret);
  return Promise.all(
    rows.map(async (r, i) => ({
      sessionId: r.id,
      browser: r.browser_uuid,
      token: await mintIdentityToken(key, {
        sub: `bench-${run}-${side.name}-${i}`,
        email: `bench${i}@example.com`,
        ttlSeconds: 3600,
      }),
    })),
  );
}

export const startShot = (): Shot => ({
  path: "/api/oss-chat/start",
  body: { browser_uuid: randomUUID(), topic: "Pertanyaan tentang izin usaha", priority: "normal" },
});

export function shots(
  side: Pick<Side, "chats">,
): Record<Exclude<Endpoint, "startchat">, (i: number) => Shot> {
  const chat = (i: number) => side.chats[i % side.chats.length]!;
  const one = {
    setcontact: (i: number): Shot => ({
      path: "/api/oss-chat/contact",
      headers: { "x-browser-uuid": chat(i).browser },
      body: {
        session_id: chat(i).sessionId,
        contact_name: `Kontak ${i}`,
        contact_email: "john@company.com",
        contact_phone: "081234567890",
        position: "Manager",
        company_name: "PT. Example",
      },
    }),
    linkuser: (i: number): Shot => ({
      path: "/api/oss-chat/link-user",
      headers: { authorization: `Bearer ${chat(i).token}` },
      body: { browser_uuid: chat(i).browser },
    }),
    history: (i: number): Shot => ({
      path: "/api/oss-chat/history?limit=20&offset=0",
      headers: { "x-browser-uuid": chat(i).browser },
    }),
    session: (i: number): Shot => ({
      path: `/api/oss-chat/session/${chat(i).sessionId}`,
      headers: { "x-browser-uuid": chat(i).browser },
    }),
  };
  return {
    ...one,
    // A widget fleet: 70 % reads (history, session detail), 30 % writes (new chats, contact forms).
    mixed: (i) => {
      const k = i % 10;
      if (k < 2) return { ...startShot(), method: "POST" };
      if (k < 3) return { ...one.setcontact(i), method: "POST" };
      return { ...(k < 7 ? one.history(i) : one.session(i)), method: "GET" };
    },
  };
}

/** One side's rounds of one endpoint, taken together: the rate over all rounds, the median round's latencies. */
export function combine(rounds: readonly EndpointResult[]): EndpointResult & { rounds_rps: number[] } {
  const requests = rounds.reduce((n, r) => n + r.requests, 0);
  const seconds = rounds.reduce((n, r) => n + r.requests / Math.max(r.rps, 1e-9), 0);
  return {
    rps: round(requests / seconds),
    p50_ms: median(rounds.map((r) => r.p50_ms)),
    p99_ms: median(rounds.map((r) => r.p99_ms)),
    requests,
    errors: rounds.reduce((n, r) => n + r.errors, 0),
    rounds_rps: rounds.map((r) => r.rps),
  };
}

/**
 * Every endpoint against the product and the baseline in `rounds` short interleaved rounds (product, baseline,
 * product, baseline, …); the product's projector is caught up before each of its rounds. The ratio is the median
 * of the per-round ratios, with their spread. Projection lag is sampled afterwards, in phases of its own: at full
 * StartChat load, at half the rate the product reached, and at a fixed offered rate (`lagRate`).
 */
export async function runHttp(opts: {
  es: Side;
  crud: Side;
  secret: string;
  connections: number;
  durationS: number;
  rounds: number;
  lagRate: number;
  log: (msg: string) => void;
}): Promise<HttpResults> {
  const { es, crud, connections, durationS, log } = opts;
  const run = randomUUID().slice(0, 8);
  const out = { es: {} as Record<Endpoint, EndpointResult>, crud: {} as Record<Endpoint, EndpointResult> };
  const ratios = {} as Record<Endpoint, RoundRatio>;
  const settle = () => waitForProjector(es.databaseUrl);
  const cpu = {} as Record<Endpoint, CpuPerRequest>;
  type Used = { node: number; pg: number; n: number };
  const pair = async (
    endpoint: Endpoint,
    method: "GET" | "POST",
    shot: (side: Side) => (i: number) => Shot,
  ) => {
    const used = { es: [] as Used[], crud: [] as Used[] };
    const once = (side: Side) => async () => {
      if (side.name === "es") await settle();
      const meter = await cpuMeter(side.server.pid, side.databaseUrl);
      const r = await drive(side.server.url, method, shot(side), { connections, durationS });
      // The product's projector applies the round's events in the same process: its catch-up counts too.
      if (side.name === "es") await settle();
      const m = await meter.stop();
      used[side.name].push({ node: m.serverMs, pg: m.postgresMs, n: r.requests });
      return r;
    };
    const r = await interleave(opts.rounds, once(es), once(crud));
    out.es[endpoint] = combine(r.a);
    out.crud[endpoint] = combine(r.b);
    ratios[endpoint] = roundRatio(r.a.map((a, i) => a.rps / (r.b[i] as EndpointResult).rps));
    const perRequest = (xs: Used[]) => {
      const n = xs.reduce((a, x) => a + x.n, 0);
      return {
        node_us: round((1000 * xs.reduce((a, x) => a + x.node, 0)) / n, 0),
        postgres_us: round((1000 * xs.reduce((a, x) => a + x.pg, 0)) / n, 0),
      };
    };
    const total = (x: Used) => (x.node + x.pg) / Math.max(1, x.n);
    cpu[endpoint] = {
      es: perRequest(used.es),
      crud: perRequest(used.crud),
      ratio: roundRatio(used.es.map((e, i) => total(used.crud[i] as Used) / total(e))),
    };
    const x = ratios[endpoint];
    const c = cpu[endpoint];
    log(
      `${endpoint.padEnd(10)} es ${out.es[endpoint].rps} req/s, crud ${out.crud[endpoint].rps} req/s; ratio ` +
        `${x.median} (${x.min}–${x.max}; rounds ${x.rounds.join(" ")}); errors ${out.es[endpoint].errors} / ${out.crud[endpoint].errors}; ` +
        `CPU µs/request es ${c.es.node_us} + ${c.es.postgres_us} pg, crud ${c.crud.node_us} + ${c.crud.postgres_us} pg, ` +
        `CPU ratio ${c.ratio.median} (${c.ratio.min}–${c.ratio.max})`,
    );
  };

  for (const side of [es, crud])
    await drive(side.server.url, "POST", startShot, { connections, durationS: 2 });
  // BENCH_HTTP_ENDPOINTS (comma-separated) runs only some pairs, for a targeted before/after; StartChat's rounds
  // always run (they make the chats the others use).
  const chosen = new Set((process.env.BENCH_HTTP_ENDPOINTS ?? endpoints.join(",")).split(","));
  await pair("startchat", "POST", () => startShot);
  for (const side of [es, crud]) {
    if (side.name === "es") await settle();
    side.chats = await createdChats(side, opts.secret, run);
  }
  for (const [endpoint, method] of [
    ["setcontact", "POST"],
    ["linkuser", "POST"],
    ["history", "GET"],
    ["session", "GET"],
    ["mixed", "GET"],
  ] as const) {
    if (chosen.has(endpoint)) await pair(endpoint, method, (side) => shots(side)[endpoint]);
  }

  // Lag is sampled in phases of its own: the sampler's polling would cost the throughput phases.
  const lagPhase = async (rate?: number) => {
    await settle();
    const lag = sampleLag(es.server.url, es.databaseUrl);
    const r = await drive(es.server.url, "POST", startShot, {
      connections,
      durationS: Math.max(durationS, 10),
      overallRate: rate,
    });
    return { ...(await lag.stop()), achieved_rps: round(r.rps) };
  };
  if (process.env.BENCH_LAG === "0") {
    const none = { samples: 0, p50_ms: Number.NaN, p99_ms: Number.NaN, max_ms: Number.NaN, achieved_rps: 0 };
    return {
      ...out,
      ratios,
      cpu,
      rounds: opts.rounds,
      round_s: durationS,
      lagAtMax: none,
      lagAtHalf: { ...none, rate_rps: 0 },
      lagFixed: { ...none, rate_rps: 0 },
      linkedUnique: { es: 0, crud: 0 },
    };
  }
  const lagAtMax = await lagPhase();
  log(
    `es   lag at max load: p50 ${lagAtMax.p50_ms} ms p99 ${lagAtMax.p99_ms} ms (${lagAtMax.samples} samples)`,
  );
  const half = Math.max(1, Math.round(out.es.startchat.rps / 2));
  const lagAtHalf = { ...(await lagPhase(half)), rate_rps: half };
  log(
    `es   lag at ${half} req/s (half): p50 ${lagAtHalf.p50_ms} ms p99 ${lagAtHalf.p99_ms} ms (${lagAtHalf.samples} samples)`,
  );
  const lagFixed = { ...(await lagPhase(opts.lagRate)), rate_rps: opts.lagRate };
  log(
    `es   lag at ${opts.lagRate} req/s (fixed): p50 ${lagFixed.p50_ms} ms p99 ${lagFixed.p99_ms} ms (${lagFixed.samples} samples)`,
  );
  return {
    ...out,
    ratios,
    cpu,
    rounds: opts.rounds,
    round_s: durationS,
    lagAtMax,
    lagAtHalf,
    lagFixed,
    linkedUnique: {
      es: Math.min(es.chats.length, out.es.linkuser?.requests ?? 0),
      crud: Math.min(crud.chats.length, out.crud.linkuser?.requests ?? 0),
    },
  };
}
