/**
 * `npx tsx bench/queryCount.ts [n]`: the SQL statements the product sends for n StartChats (and one SetContact,
 * one message), counted by text, with the projector and the real-time follower running as `livechat start`
 * runs them. A round-trip count per command, to set beside the profile.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { Client, Pool } from "pg";
import { loadConfig } from "../src/config";
import { createKnex, migrateLatest } from "../src/db/database";
import { createLogger } from "../src/logger";
import { startService } from "../src/service";
import { openBenchServer } from "./postgres";

const counts = new Map<string, number>();
let counting = false;
for (const proto of [Client.prototype, Pool.prototype] as { query: (...a: unknown[]) => unknown }[]) {
  const original = proto.query;
  proto.query = function (this: unknown, ...args: unknown[]) {
    if (counting && proto === Client.prototype) {
      const q = args[0];
      const text = typeof q === "string" ? q : ((q as { text?: string })?.text ?? "?");
      const key = text.replace(/\s+/g, " ").slice(0, 110);
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return original.apply(this, args);
  };
}

async function main() {
  const n = Number(process.argv[2] ?? 50);
  const server = await openBenchServer();
  try {
    const url = await server.createDatabase("querycount");
    const k = createKnex(url, 1);
    await migrateLatest(k);
    await k.destroy();
    const config = loadConfig({
      ...process.env,
      DATABASE_URL: url,
      PORT: "0",
      HOST: "127.0.0.1",
      LOG_LEVEL: "warn",
      OSS_IDENTITY_SECRET: randomBytes(32).toString("base64url"),
    });
    const service = await startService(config, createLogger("warn"));
    try {
      await countStartChats(service.url, n);
    } finally {
      await service.stop();
    }
  } finally {
    await server.close();
  }
}

async function countStartChats(url: string, n: number) {
  await new Promise((r) => setTimeout(r, 500));
  counting = true;
  for (let i = 0; i < n; i++) {
    const res = await fetch(`${url}/api/oss-chat/start`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ browser_uuid: randomUUID(), topic: "Pertanyaan", priority: "normal" }),
    });
    if (res.status !== 201) throw new Error(`${res.status} ${await res.text()}`);
  }
  await new Promise((r) => setTimeout(r, 1500));
  counting = false;
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  console.log(`${total} statements for ${n} StartChats: ${(total / n).toFixed(1)} per StartChat`);
  for (const [q, c] of [...counts].sort((a, b) => b[1] - a[1])) console.log(String(c).padStart(6), q);
}
main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
