import net from "node:net";

/**
 * Which Postgres server the integration tests create their databases on:
 * - `TEST_DATABASE_URL`, when set;
 * - else the machine's server at 127.0.0.1:5432 (`TEST_PG_PROBE_PORT` names another port), when something
 *   listens there — CI's case;
 * - else nothing is running: the run starts the embedded Postgres (see globalSetup.ts).
 */
export type TestServerChoice = { kind: "given" | "machine"; url: string } | { kind: "embedded" };

/** The port the machine's Postgres is looked for on. */
export function probePort(env: NodeJS.ProcessEnv): number {
  const raw = env.TEST_PG_PROBE_PORT;
  if (raw === undefined || raw === "") return 5432;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new Error(`TEST_PG_PROBE_PORT: must be a port number (1-65535), not "${raw}"`);
  return port;
}

export async function chooseTestServer(
  env: NodeJS.ProcessEnv,
  isListening: (port: number) => Promise<boolean>,
): Promise<TestServerChoice> {
  if (env.TEST_DATABASE_URL) return { kind: "given", url: env.TEST_DATABASE_URL };
  const port = probePort(env);
  if (await isListening(port))
    return { kind: "machine", url: `postgres://postgres@127.0.0.1:${port}/postgres` };
  return { kind: "embedded" };
}

/** Whether something accepts TCP connections at 127.0.0.1:port (within a second). */
export function isListening(port: number, host = "127.0.0.1"): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    const done = (answer: boolean) => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

/**
 * The settings the embedded test server runs with. `max_connections` is Postgres' default, as on CI, so a test
 * that needs more fails here too; the rest trade durability, which a throw-away cluster does not need, for speed.
 */
export const EMBEDDED_TEST_SETTINGS: Record<string, string> = {
  max_connections: "100",
  fsync: "off",
  synchronous_commit: "off",
  full_page_writes: "off",
};
