/**
 * `npx tsx bench/sealCost.ts [rounds] [events]`: CPU of sealing and opening a new visitor's StartChat events
 * (ChatUserRegistered + ChatSessionStarted) and a contact form (ChatSessionContactSet), one AES-GCM per field
 * (`pii:v1`, as before issue 25) against one per event and key (`pii:v2`), in interleaved rounds.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import { openEvents, sealingPlan, sealWith } from "../src/privacy/eventCipher";
import { seal } from "../src/privacy/fieldCipher";
import type { KeyStore } from "../src/privacy/keyStore";
import { round } from "./load";
import { interleave, roundRatio } from "./rounds";

const owner = randomUUID();
const meta = () => ({
  occurred_at: new Date().toISOString(),
  correlation_id: randomUUID(),
  causation_id: null,
  actor: { kind: "anonymous", id: owner },
  ip: "203.0.113.7",
  user_agent:
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36",
  owner_id: owner,
});
const events = () => [
  {
    type: "ChatUserRegistered",
    data: {
      chat_user_id: owner,
      browser_uuid: randomUUID(),
      email: null,
      ip_address: "203.0.113.7",
      user_agent: "Mozilla/5.0",
    },
    metadata: meta(),
  },
  {
    type: "ChatSessionStarted",
    data: {
      session_id: randomUUID(),
      chat_user_id: owner,
      topic: "Izin usaha",
      priority: "normal",
      channel: "web",
    },
    metadata: meta(),
  },
  {
    type: "ChatSessionContactSet",
    data: {
      session_id: randomUUID(),
      contact_id: randomUUID(),
      contact_name: "Siti Rahma",
      contact_email: "siti@example.co.id",
      contact_phone: "081234567890",
      position: "Direktur",
      company_name: "PT Sejahtera",
    },
    metadata: meta(),
  },
];
const key = randomBytes(32);
const keys = new Map([[`u.${owner}`, key]]);
const keyStore = { keysForOpening: async () => keys } as unknown as KeyStore;

/** The pre-issue-25 sealing: each field its own AES-GCM (what sealWith did, field by field). */
function sealV1<E extends { type: string; data: unknown; metadata: object }>(list: readonly E[]): E[] {
  return list.map((e) => {
    const data = { ...(e.data as Record<string, unknown>) };
    const metadata = { ...(e.metadata as Record<string, unknown>) };
    for (const p of sealingPlan(e)) {
      const target = p.target === "data" ? data : metadata;
      const field = p.path[0] as string;
      if (typeof target[field] === "string") target[field] = seal(key, p.key.keyId, target[field] as string);
    }
    return { ...e, data, metadata };
  });
}

async function timed(n: number, sealer: (list: ReturnType<typeof events>) => ReturnType<typeof events>) {
  const batches = Array.from({ length: n }, events);
  const t0 = performance.now();
  for (const batch of batches) await openEvents(sealer(batch), keyStore);
  return ((performance.now() - t0) * 1000) / n;
}

async function main() {
  const rounds = Number(process.argv[2] ?? 7);
  const n = Number(process.argv[3] ?? 3000);
  await timed(500, sealV1);
  await timed(500, (b) => sealWith(b, keys));
  const r = await interleave(
    rounds,
    () => timed(n, sealV1),
    () => timed(n, (b) => sealWith(b, keys)),
  );
  const ratio = roundRatio(r.a.map((v1, i) => v1 / (r.b[i] as number)));
  console.log(
    `seal + open of a StartChat's two events and a contact form (13 sealed fields, one key): v1 ${r.a.map((x) => round(x, 0)).join(" ")} µs, ` +
      `v2 ${r.b.map((x) => round(x, 0)).join(" ")} µs; v1/v2 ${ratio.median} (${ratio.min}–${ratio.max})`,
  );
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
