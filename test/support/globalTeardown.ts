import { rm } from "node:fs/promises";
import { EMBEDDED_KEY, type EmbeddedTestServer } from "./globalSetup";

/** Stops the embedded Postgres globalSetup started, if it did, and removes its data. */
export default async function globalTeardown(): Promise<void> {
  const server = (globalThis as Record<string, unknown>)[EMBEDDED_KEY] as EmbeddedTestServer | undefined;
  if (!server) return;
  delete (globalThis as Record<string, unknown>)[EMBEDDED_KEY];
  await server.stop();
  await rm(server.dataDir, { recursive: true, force: true });
}
