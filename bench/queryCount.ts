/**
 * `npx tsx bench/queryCount.ts [n]`: the SQL statements the product sends for n StartChats (and one SetContact,
 * one message), counted by text, with the projector and the real-time follower running as `livechat start`
 * runs them. A round-trip count per command, to set beside the profile.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { Client, Pool } from "pg";
import { migrationSource } from "../migrations/index";
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
      // Literals out (a projector batch is one script of inlined values): one key per statement shape.
      const key = text
        .replace(/'(?:[^']|'')*'/g, "'…'")
        .replace(/\b\d+\b/g, "N")
        .replace(/\s+/g, " ")
        .slice(0, 110);
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
    await migrateLatest(k, migrationSource);
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

async function post(url: string, path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  if (res.status >= 300) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

/** Counts the statements of n requests of each kind: StartChat, SetContact, a visitor's message. */
async function countStartChats(url: string, n: number) {
  await new Promise((r) => setTimeout(r, 500));
  const chats: { browser: string; session: string }[] = [];
  const phase = async (name: string, one: (i: number) => Promise<unknown>) => {
    counts.clear();
    counting = true;
    for (let i = 0; i < n; i++) await one(i);
    await new Promise((r) => setTimeout(r, 1500));
    counting = false;
    const total = [...counts.values()].reduce((a, b) => a + b, 0);
    console.log(`\n${total} statements for ${n} ${name}: ${(total / n).toFixed(1)} each`);
    for (const [q, c] of [...counts].sort((a, b) => b[1] - a[1])) console.log(String(c).padStart(6), q);
  };
  await phase("StartChats", async () => {
    const browser = randomUUID();
    const started = (await post(url, "/api/oss-chat/start", {
      browser_uuid: browser,
      topic: "Pertanyaan",
    })) as {
      session_id: string;
    };
    chats.push({ browser, session: started.session_id });
  });
  await phase("SetContacts", (i) =>
    post(
      url,
      "/api/oss-chat/contact",
      { session_id: chats[i]?.session, contact_name: `Kontak ${i}`, contact_email: "john@company.com" },
      { "x-browser-uuid": chats[i]?.browser ?? "" },
    ),
  );
  await phase("messages", (i) =>
    post(
      url,
      "/api/oss-chat/message",
      { session_id: chats[i]?.session, body: `Halo ${i}` },
      { "x-browser-uuid": chats[i]?.browser ?? "" },
    ),
  );
}
main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
