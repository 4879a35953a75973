/**
 * `npx tsx bench/profile.ts [endpoint] [seconds]`: a CPU profile of the product's server process under one
 * endpoint's load (StartChat by default), then its self time summed per layer. The .cpuprofile lands in
 * bench/results/profiles/ (open it in Chrome DevTools or speedscope for the call tree). The CRUD baseline runs
 * the same load right after, so the line it prints carries the ES/CRUD ratio of this one run: the figure to
 * compare before and after a change (absolute rates move with whatever else the machine runs).
 */
import { randomBytes } from "node:crypto";
import { mkdir, readdir, rm, stat } from "node:fs/promises";
import { loadavg } from "node:os";
import path from "node:path";
import { createKnex, migrateLatest } from "../src/db/database";
import { cpuMeter } from "./cpuTime";
import { startShot } from "./http";
import { waitForProjector } from "./lag";
import { drive, round } from "./load";
import { openBenchServer } from "./postgres";
import { summariseProfile } from "./profileLayers";
import { spawnServer } from "./servers";

async function main() {
  const seconds = Number(process.argv[2] ?? 10);
  const connections = Number(process.env.BENCH_CONNECTIONS ?? 32);
  const dir = path.join(__dirname, "results", "profiles", new Date().toISOString().replace(/[:.]/g, "-"));
  await mkdir(dir, { recursive: true });
  const server = await openBenchServer();
  try {
    const url = await server.createDatabase("profile");
    const crudUrl = await server.createDatabase("profile_crud");
    const knex = createKnex(crudUrl, 1);
    await migrateLatest(knex);
    await knex.destroy();
    const secret = randomBytes(32).toString("base64url");
    const es = await spawnServer("es", url, secret, {
      nodeArgs: ["--cpu-prof", `--cpu-prof-dir=${dir}`],
    });
    await drive(es.url, "POST", startShot, { connections, durationS: 2 });
    // The profile's clock is the monotonic one process.hrtime reads: the window is the load phase alone.
    const fromUs = Number(process.hrtime.bigint() / 1000n);
    const esCpu = await cpuMeter(es.pid, url);
    const r = await drive(es.url, "POST", startShot, { connections, durationS: seconds });
    const toUs = Number(process.hrtime.bigint() / 1000n);
    await waitForProjector(url); // the projector's work for these requests counts too
    const esUsed = await esCpu.stop();
    await es.stop();
    const crud = await spawnServer("crud", crudUrl, secret);
    await drive(crud.url, "POST", startShot, { connections, durationS: 2 });
    const crudCpu = await cpuMeter(crud.pid, crudUrl);
    const c = await drive(crud.url, "POST", startShot, { connections, durationS: seconds });
    const crudUsed = await crudCpu.stop();
    await crud.stop();
    const per = (used: { serverMs: number; postgresMs: number }, n: number) =>
      `Node ${round((used.serverMs / n) * 1000, 0)} µs + Postgres ${round((used.postgresMs / n) * 1000, 0)} µs`;
    console.log(
      `CPU per StartChat: es ${per(esUsed, r.requests)}; crud ${per(crudUsed, c.requests)} ` +
        "(Postgres: the backends of the phase's database)",
    );
    console.log(
      `startchat es ${r.rps} req/s (p50 ${r.p50_ms} ms, p99 ${r.p99_ms} ms, errors ${r.errors}); ` +
        `crud ${c.rps} req/s (p99 ${c.p99_ms} ms); ratio ${round(r.rps / c.rps, 2)}; load ${loadavg()
          .map((l) => l.toFixed(1))
          .join(" ")}`,
    );
    // tsx's loader thread writes a profile of its own: the main thread's is the largest.
    const files = await Promise.all(
      (await readdir(dir)).map(async (f) => ({ f, size: (await stat(path.join(dir, f))).size })),
    );
    const [main, ...others] = files.sort((a, b) => b.size - a.size);
    for (const o of others) await rm(path.join(dir, o.f));
    console.log(
      `${path.join(dir, main?.f ?? "")}\n${await summariseProfile(path.join(dir, main?.f ?? ""), { fromUs, toUs })}`,
    );
  } finally {
    await server.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
