import { randomBytes } from "node:crypto";
import path from "node:path";
import { Client } from "pg";
import { startEmbeddedPostgres } from "../src/db/embeddedPostgres";

/** A Postgres server the bench creates its throw-away databases on. */
export interface BenchServer {
  /** Where the server is: BENCH_DATABASE_URL's host, or "embedded". */
  readonly label: string;
  createDatabase(purpose: string): Promise<string>;
  version(): Promise<string>;
  /** Drops every database it created, then stops the embedded server if it started one. */
  close(): Promise<void>;
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** BENCH_DATABASE_URL's server, or the embedded default (a real Postgres under .data/bench). */
export async function openBenchServer(): Promise<BenchServer> {
  const given = process.env.BENCH_DATABASE_URL;
  let adminUrl: string;
  let stop: (() => Promise<void>) | null = null;
  if (given) {
    adminUrl = withDatabase(given, "postgres");
  } else {
    const embedded = await startEmbeddedPostgres({ dataDir: path.resolve(".data/bench/postgres") });
    adminUrl = withDatabase(embedded.url, "postgres");
    stop = () => embedded.stop();
  }
  const run = randomBytes(4).toString("hex");
  const created: string[] = [];
  const admin = async <T>(fn: (c: Client) => Promise<T>): Promise<T> => {
    const c = new Client({ connectionString: adminUrl });
    await c.connect();
    try {
      return await fn(c);
    } finally {
      await c.end();
    }
  };
  return {
    label: given ? new URL(given).host : "embedded",
    async createDatabase(purpose) {
      const name = `lc_bench_${run}_${purpose}`;
      await admin((c) => c.query(`CREATE DATABASE ${name}`));
      created.push(name);
      return withDatabase(adminUrl, name);
    },
    version: () => admin(async (c) => (await c.query("SHOW server_version")).rows[0].server_version),
    async close() {
      await admin(async (c) => {
        for (const name of created) await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      });
      if (stop) await stop();
    },
  };
}
