/**
 * `npx tsx bench/profile.ts [endpoint] [seconds]`: a CPU profile of the product's server process under one
 * endpoint's load (`startchat`, the default, `history` or `session`), then its self time summed per layer. The
 * .cpuprofile lands in bench/results/profiles/ (open it in Chrome DevTools or speedscope for the call tree). The
 * CRUD baseline runs the same load right after, so the line it prints carries the ES/CRUD ratio of this one
 * run: the figure to compare before and after a change (absolute rates move with whatever else the machine
 * runs). The reads need sessions: each side first takes StartChats for a few seconds, and the reads then go
 * to those sessions with their browsers' headers, as in bench/http.ts. Last, a fixed number of requests with
 * each server's SQL statements counted (bench/statementCount.ts): statements per request, by text. With
 * BENCH_PROFILE=0 neither server is profiled: the ratio and the CPU figures without the profiler's cost.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { mkdir, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { loadavg } from "node:os";
import path from "node:path";
import { migrationSource } from "../migrations/index";
import { createKnex, migrateLatest } from "../src/db/database";
import { cpuMeter } from "./cpuTime";
import { createdChats, shots, startShot } from "./http";
import { waitForProjector } from "./lag";
import { drive, round, type Shot } from "./load";
import { openBenchServer } from "./postgres";
import { compareProfiles } from "./profileLayers";
import { type ServerProcess, spawnServer } from "./servers";

const PROFILED = ["startchat", "history", "session"] as const;
type Profiled = (typeof PROFILED)[number];
/** Requests sent one at a time while the statements are counted. */
const COUNTED = 200;

function args(): { endpoint: Profiled; seconds: number } {
  const given = process.argv.slice(2);
  // A number alone is the seconds (the old form: `profile.ts 10`).
  const endpoint = (
    given[0] !== undefined && Number.isNaN(Number(given[0])) ? given.shift() : "startchat"
  ) as Profiled;
  if (!PROFILED.includes(endpoint)) throw new Error(`usage: profile.ts [${PROFILED.join("|")}] [seconds]`);
  return { endpoint, seconds: Number(given[0] ?? 10) };
}

/** Sends `n` requests one after the other with the server's statement counter on; statements per request. */
async function countStatements(
  server: ServerProcess,
  file: string,
  method: "GET" | "POST",
  shot: (i: number) => Shot,
  n: number,
) {
  process.kill(server.pid, "SIGUSR2");
  await new Promise((r) => setTimeout(r, 100));
  for (let i = 0; i < n; i++) {
    const s = shot(i);
    const res = await fetch(`${server.url}${s.path}`, {
      method: s.method ?? method,
      headers: { ...s.headers, ...(s.body === undefined ? {} : { "content-type": "application/json" }) },
      body: s.body === undefined ? undefined : JSON.stringify(s.body),
    });
    if (res.status >= 300) throw new Error(`${s.path}: ${res.status} ${await res.text()}`);
    await res.arrayBuffer();
  }
  process.kill(server.pid, "SIGUSR2");
  for (let tries = 0; ; tries++) {
    try {
      const counts = JSON.parse(await readFile(file, "utf8")) as Record<string, number>;
      const total = Object.values(counts).reduce((a, b) => a + b, 0);
      const lines = Object.entries(counts)
        .sort((a, b) => b[1] - a[1])
        .map(([q, c]) => `  ${(c / n).toFixed(2).padStart(6)}  ${q}`);
      return { perRequest: total / n, lines };
    } catch (err) {
      if (tries > 50) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

async function main() {
  const { endpoint, seconds } = args();
  const connections = Number(process.env.BENCH_CONNECTIONS ?? 32);
  // BENCH_PROFILE=0: the same phases without the profiler (the ratio as bench/http.ts measures it).
  const profiling = process.env.BENCH_PROFILE !== "0";
  const dir = path.join(__dirname, "results", "profiles", new Date().toISOString().replace(/[:.]/g, "-"));
  const crudDir = path.join(dir, "crud");
  await mkdir(crudDir, { recursive: true });
  const server = await openBenchServer();
  try {
    const url = await server.createDatabase("profile");
    const crudUrl = await server.createDatabase("profile_crud");
    const knex = createKnex(crudUrl, 1);
    await migrateLatest(knex, migrationSource);
    await knex.destroy();
    const secret = randomBytes(32).toString("base64url");
    const run = randomUUID().slice(0, 8);
    const method = endpoint === "startchat" ? "POST" : "GET";
    // The shots of one side: StartChats, or reads of the sessions its StartChat warm-up created.
    const prepare = async (side: "es" | "crud", server: ServerProcess, databaseUrl: string) => {
      await drive(server.url, "POST", startShot, { connections, durationS: 2 });
      if (endpoint === "startchat") return startShot;
      if (side === "es") await waitForProjector(databaseUrl);
      const chats = await createdChats({ name: side, databaseUrl }, secret, run);
      const shot = shots({ chats })[endpoint];
      await drive(server.url, method, shot, { connections, durationS: 2 });
      return shot;
    };
    const statementsFile = (side: string) => path.join(dir, `statements-${side}.json`);

    const es = await spawnServer("es", url, secret, {
      nodeArgs: profiling ? ["--cpu-prof", `--cpu-prof-dir=${dir}`] : [],
      env: { BENCH_STATEMENTS_FILE: statementsFile("es") },
    });
    const esShot = await prepare("es", es, url);
    // The profile's clock is the monotonic one process.hrtime reads: the window is the load phase alone.
    const fromUs = Number(process.hrtime.bigint() / 1000n);
    const esCpu = await cpuMeter(es.pid, url);
    const r = await drive(es.url, method, esShot, { connections, durationS: seconds });
    const toUs = Number(process.hrtime.bigint() / 1000n);
    await waitForProjector(url); // the projector's work for these requests counts too
    const esUsed = await esCpu.stop();
    const esStatements = await countStatements(es, statementsFile("es"), method, esShot, COUNTED);
    await es.stop();

    // The baseline is profiled too: the profiler's cost is then on both sides of the ratio.
    const crud = await spawnServer("crud", crudUrl, secret, {
      nodeArgs: profiling ? ["--cpu-prof", `--cpu-prof-dir=${crudDir}`] : [],
      env: { BENCH_STATEMENTS_FILE: statementsFile("crud") },
    });
    const crudShot = await prepare("crud", crud, crudUrl);
    const crudFromUs = Number(process.hrtime.bigint() / 1000n);
    const crudCpu = await cpuMeter(crud.pid, crudUrl);
    const c = await drive(crud.url, method, crudShot, { connections, durationS: seconds });
    const crudToUs = Number(process.hrtime.bigint() / 1000n);
    const crudUsed = await crudCpu.stop();
    const crudStatements = await countStatements(crud, statementsFile("crud"), method, crudShot, COUNTED);
    await crud.stop();

    const per = (used: { serverMs: number; postgresMs: number }, n: number) =>
      `Node ${round((used.serverMs / n) * 1000, 0)} µs + Postgres ${round((used.postgresMs / n) * 1000, 0)} µs`;
    console.log(
      `CPU per ${endpoint} request: es ${per(esUsed, r.requests)}; crud ${per(crudUsed, c.requests)} ` +
        "(Postgres: the backends of the phase's database)",
    );
    console.log(
      `${endpoint} es ${r.rps} req/s (p50 ${r.p50_ms} ms, p99 ${r.p99_ms} ms, errors ${r.errors}); ` +
        `crud ${c.rps} req/s (p99 ${c.p99_ms} ms, errors ${c.errors}); ratio ${round(r.rps / c.rps, 2)}; load ${loadavg()
          .map((l) => l.toFixed(1))
          .join(" ")}`,
    );
    for (const [side, s] of [
      ["es", esStatements],
      ["crud", crudStatements],
    ] as const) {
      console.log(
        `SQL statements per ${endpoint} request, ${side}: ${s.perRequest.toFixed(2)} (${COUNTED} requests one at a time)`,
      );
      for (const line of s.lines) console.log(line);
    }
    // tsx's loader thread writes a profile of its own: the main thread's is the largest.
    const mainProfile = async (d: string) => {
      const files = await Promise.all(
        (await readdir(d))
          .filter((f) => f.endsWith(".cpuprofile"))
          .map(async (f) => ({ f, size: (await stat(path.join(d, f))).size })),
      );
      const [main, ...others] = files.sort((a, b) => b.size - a.size);
      for (const o of others) await rm(path.join(d, o.f));
      return path.join(d, main?.f ?? "");
    };
    if (!profiling) return;
    const runs = [
      { label: "es", file: await mainProfile(dir), window: { fromUs, toUs }, requests: r.requests },
      {
        label: "crud",
        file: await mainProfile(crudDir),
        window: { fromUs: crudFromUs, toUs: crudToUs },
        requests: c.requests,
      },
    ];
    // For `npx tsx bench/profileLayers.ts <dir>`: the same table again, later, with other layer rules.
    await writeFile(path.join(dir, "runs.json"), JSON.stringify(runs));
    console.log(await compareProfiles(runs));
  } finally {
    await server.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
