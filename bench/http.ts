import { randomUUID } from "node:crypto";
import { Client } from "pg";
import { mintIdentityToken } from "../src/auth/identityTokens";
import { type LagResult, sampleLag, waitForProjector } from "./lag";
import { drive, type EndpointResult, round, type Shot } from "./load";
import type { ServerProcess } from "./servers";

export const endpoints = ["startchat", "setcontact", "linkuser", "history", "session", "mixed"] as const;
export type Endpoint = (typeof endpoints)[number];

export interface HttpResults {
  readonly es: Record<Endpoint, EndpointResult>;
  readonly crud: Record<Endpoint, EndpointResult>;
  readonly lagAtMax: LagResult;
  readonly lagAtHalf: LagResult & { readonly rate_rps: number; readonly achieved_rps: number };
  readonly linkedUnique: { readonly es: number; readonly crud: number };
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

/**
 * Every endpoint against the product and the baseline, alternating per endpoint so both see the same machine;
 * the product's projector is caught up before each phase. Projection lag is sampled afterwards, in phases of
 * its own: at full StartChat load and at half the rate the product reached.
 */
export async function runHttp(opts: {
  es: Side;
  crud: Side;
  secret: string;
  connections: number;
  durationS: number;
  log: (msg: string) => void;
}): Promise<HttpResults> {
  const { es, crud, connections, durationS, log } = opts;
  const run = randomUUID().slice(0, 8);
  const out = { es: {} as Record<Endpoint, EndpointResult>, crud: {} as Record<Endpoint, EndpointResult> };
  const settle = () => waitForProjector(es.databaseUrl);
  const phase = async (side: Side, endpoint: Endpoint, method: "GET" | "POST", shot: (i: number) => Shot) => {
    if (side.name === "es") await settle();
    const r = await drive(side.server.url, method, shot, { connections, durationS });
    out[side.name][endpoint] = r;
    log(
      `${side.name.padEnd(4)} ${endpoint.padEnd(10)} ${r.rps} req/s  p50 ${r.p50_ms} ms  p99 ${r.p99_ms} ms  errors ${r.errors}`,
    );
  };

  for (const side of [es, crud])
    await drive(side.server.url, "POST", startShot, { connections, durationS: 2 });
  await phase(es, "startchat", "POST", startShot);
  await phase(crud, "startchat", "POST", startShot);
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
    for (const side of [es, crud]) await phase(side, endpoint, method, shots(side)[endpoint]);
  }

  // Lag is sampled in phases of its own: the sampler's polling would cost the throughput phases.
  await settle();
  const lag = sampleLag(es.server.url, es.databaseUrl);
  await drive(es.server.url, "POST", startShot, { connections, durationS });
  const lagAtMax = await lag.stop();
  log(
    `es   lag at max load: p50 ${lagAtMax.p50_ms} ms p99 ${lagAtMax.p99_ms} ms (${lagAtMax.samples} samples)`,
  );
  await settle();
  const rate = Math.max(1, Math.round(out.es.startchat.rps / 2));
  const halfLag = sampleLag(es.server.url, es.databaseUrl);
  const half = await drive(es.server.url, "POST", startShot, { connections, durationS, overallRate: rate });
  const lagAtHalf = { ...(await halfLag.stop()), rate_rps: rate, achieved_rps: round(half.rps) };
  log(
    `es   lag at ${rate} req/s: p50 ${lagAtHalf.p50_ms} ms p99 ${lagAtHalf.p99_ms} ms (${lagAtHalf.samples} samples)`,
  );
  return {
    ...out,
    lagAtMax,
    lagAtHalf,
    linkedUnique: {
      es: Math.min(es.chats.length, out.es.linkuser.requests),
      crud: Math.min(crud.chats.length, out.crud.linkuser.requests),
    },
  };
}
