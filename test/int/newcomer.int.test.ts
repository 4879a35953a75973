import { execFile } from "node:child_process";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { type CliProcess, spawnCli } from "../support/cliProcess";
import { runCli } from "../support/runCli";
import { createTestDatabase, type TestDatabase } from "../support/testDatabase";

/** What a new user meets first: the CLI's output, `npm start`'s log and pages, and the CLI beside a running service. */

const root = path.resolve(__dirname, "../..");
const KEY_LINE = /^lcs_[A-Za-z0-9_-]+\n$/;
// No PII_KEK: the CLI then warns (a log line) that it keeps the key in DATA_DIR — that line must not reach stdout.
const noKek = { PII_KEK: "", LOG_LEVEL: "info" };

describe("the CLI's stdout carries only results", () => {
  let db: TestDatabase;
  let dataDir: string;
  beforeAll(async () => {
    db = await createTestDatabase("lc_newcomer");
    dataDir = await mkdtemp(path.join(os.tmpdir(), "lc-newcomer-"));
  });
  afterAll(async () => {
    await db.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  test("KEY=$(livechat keys create …) holds just the key; the logs and the key's id go to stderr", async () => {
    const created = await runCli(db.url, ["keys", "create", "--role", "agent", "--name", "Dewi (CS)"], {
      ...noKek,
      DATA_DIR: dataDir,
    });
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(KEY_LINE);
    const warning = created.stderr.split("\n").find((l) => l.includes("PII_KEK is not set"));
    expect(JSON.parse(warning ?? "null")).toMatchObject({ level: 40 }); // piped: JSON lines
    expect(created.stderr).toMatch(/created agent key [0-9a-f-]{36} for "Dewi \(CS\)"/);

    const listed = await runCli(db.url, ["keys", "list"], { ...noKek, DATA_DIR: dataDir });
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/^[0-9a-f-]{36} {2}agent {4}active {2}.* {2}Dewi \(CS\)\n$/);
    expect(listed.stderr).toContain("PII_KEK is not set");
  });

  test("on a terminal the logs are readable lines (pino-pretty), not JSON", async () => {
    const env = { ...process.env, DATABASE_URL: db.url, DATA_DIR: dataDir, ...noKek };
    const command = `${path.join(root, "node_modules/.bin/tsx")} src/cli.ts keys list`;
    // script(1) gives the command a pseudo-terminal as stdout and stderr.
    const out = await new Promise<string>((resolve, reject) =>
      execFile("script", ["-qec", command, "/dev/null"], { cwd: root, env }, (err, stdout) =>
        err ? reject(err) : resolve(stdout),
      ),
    );
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the colour codes a terminal gets
    const text = out.replace(/\u001b\[[0-9;]*m/g, "");
    expect(text).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] WARN \(livechat\): PII_KEK is not set/m);
    expect(text).not.toContain('"level":');
    expect(text).toContain("Dewi (CS)");
  });
});

describe("livechat start on the embedded default", () => {
  let dataDir: string;
  let service: CliProcess;
  let startup: Record<string, string>;
  const env = () => ({
    DATABASE_URL: "",
    DB_HOST: "",
    DATA_DIR: dataDir,
    PORT: "0",
    HOST: "127.0.0.1",
    ...noKek,
  });

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), "lc-embedded-"));
    await chmod(dataDir, 0o755); // as root, Postgres runs as the postgres user, which must enter it
    service = spawnCli("start", env());
    await service.waitForOutput(/OSS LiveChat API listening/, 180_000);
    const line = service
      .output()
      .split("\n")
      .find((l) => l.includes("OSS LiveChat API listening"));
    startup = JSON.parse(line ?? "{}");
  }, 200_000);
  afterAll(async () => {
    await service?.kill("SIGTERM");
    await rm(dataDir, { recursive: true, force: true });
  });

  test("the start-up log names the real listen address and the API, demo, console and docs URLs, which answer", async () => {
    const port = Number(/:(\d+)$/.exec(startup.listen ?? "")?.[1]);
    expect(port).toBeGreaterThan(0); // PORT=0: the port really taken, not 0
    const base = `http://127.0.0.1:${port}`;
    expect(startup).toMatchObject({
      listen: `127.0.0.1:${port}`,
      api: base,
      demo: `${base}/demo`,
      console: `${base}/console`,
      docs: `${base}/docs`,
    });
    expect(startup.msg).toBe(
      `OSS LiveChat API listening on 127.0.0.1:${port}: API ${base}, demo ${base}/demo, console ${base}/console, docs ${base}/docs`,
    );
    for (const page of [startup.demo, startup.console, startup.docs]) {
      const res = await fetch(page as string);
      expect([page, res.status, res.headers.get("content-type")]).toEqual([
        page,
        200,
        "text/html; charset=utf-8",
      ]);
    }
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });

  test("/favicon.ico is an icon", async () => {
    const res = await fetch(`${startup.api}/favicon.ico`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/x-icon");
    const icon = Buffer.from(await res.arrayBuffer());
    expect([...icon.subarray(0, 4)]).toEqual([0, 0, 1, 0]); // the ICO header: reserved 0, type 1 (icon)
  });

  test("keys create and keys list, run beside it, use its Postgres (found in the data directory)", async () => {
    const created = await runCli("", ["keys", "create", "--role", "agent", "--name", "Budi"], env());
    expect(created.stderr).not.toContain("in use by");
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(KEY_LINE);
    const key = created.stdout.trim();
    // The key works on the running service at once: it was written to that service's database.
    const queue = await fetch(`${startup.api}/api/agent/queue`, {
      headers: { authorization: `Bearer ${key}` },
    });
    expect(queue.status).toBe(200);
    const listed = await runCli("", ["keys", "list"], env());
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain("Budi");
  });
});
