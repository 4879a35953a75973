/** Smoke test: embedded Postgres in a temp dir — first init, query, stop, restart, stop. */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Client } from "pg";
import { startEmbeddedPostgres } from "../src/db/embeddedPostgres";

async function timed<T>(label: string, fn: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const result = await fn();
  console.log(`${label}: ${Math.round(performance.now() - started)} ms`);
  return result;
}

async function query(url: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ version: string; encoding: string }>(
      "select version(), pg_encoding_to_char(encoding) as encoding from pg_database where datname = current_database()",
    );
    console.log(`  ${rows[0]?.version} (${rows[0]?.encoding})`);
  } finally {
    await client.end();
  }
}

async function main(): Promise<void> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "embedded-pg-smoke-"));
  const log = process.env.PG_LOG ? (msg: string) => console.error(`  [pg] ${msg}`) : undefined;
  try {
    const first = await timed("first start (initdb)", () => startEmbeddedPostgres({ dataDir, log }));
    console.log(`  ${first.url}`);
    await timed("query", () => query(first.url));
    await timed("stop", () => first.stop());
    const second = await timed("restart", () => startEmbeddedPostgres({ dataDir, log }));
    await timed("query", () => query(second.url));
    await timed("stop", () => second.stop());
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
