import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { startEmbeddedPostgres } from "../../src/db/embeddedPostgres";
import { chooseTestServer, EMBEDDED_TEST_SETTINGS, isListening } from "./testServer";

/** What globalTeardown stops (it runs in this same process). */
export interface EmbeddedTestServer {
  readonly dataDir: string;
  stop(): Promise<void>;
}
export const EMBEDDED_KEY = "__livechatEmbeddedTestPostgres";

/**
 * Runs once before the integration tests: finds the Postgres server they use (see testServer.ts) and, when none
 * is configured or listening, starts the embedded one in a temporary directory for the whole run. The choice is
 * handed to every test worker (and the processes tests spawn) as TEST_DATABASE_URL.
 */
export default async function globalSetup(): Promise<void> {
  const choice = await chooseTestServer(process.env, isListening);
  if (choice.kind !== "embedded") {
    process.env.TEST_DATABASE_URL = choice.url;
    return;
  }
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "livechat-test-pg-"));
  const started = Date.now();
  const server = await startEmbeddedPostgres({
    dataDir,
    port: 0,
    database: "postgres",
    settings: EMBEDDED_TEST_SETTINGS,
  });
  process.env.TEST_DATABASE_URL = server.url;
  process.stderr.write(
    `\nNo TEST_DATABASE_URL and nothing listening at 127.0.0.1:${process.env.TEST_PG_PROBE_PORT || 5432}: ` +
      `started the embedded Postgres for this run (${server.url.replace(/:[^:@/]*@/, ":***@")}, ${dataDir}, ` +
      `${Date.now() - started} ms)\n`,
  );
  const handle: EmbeddedTestServer = { dataDir, stop: server.stop };
  (globalThis as Record<string, unknown>)[EMBEDDED_KEY] = handle;
}
