/** `npx tsx bench/lagProbe.ts [rate] [seconds]`: the direct mode's projection lag at a fixed StartChat rate. */
import { randomBytes } from "node:crypto";
import { loadavg } from "node:os";
import { startShot } from "./http";
import { sampleLag, waitForProjector } from "./lag";
import { drive } from "./load";
import { openBenchServer } from "./postgres";
import { spawnServer } from "./servers";

async function main() {
  const rate = Number(process.argv[2] ?? 100);
  const seconds = Number(process.argv[3] ?? 10);
  const server = await openBenchServer();
  try {
    const url = await server.createDatabase("lag");
    const es = await spawnServer("es", url, randomBytes(32).toString("base64url"));
    try {
      await drive(es.url, "POST", startShot, { connections: 32, durationS: 2, overallRate: rate });
      await waitForProjector(url);
      const lag = sampleLag(es.url, url);
      const r = await drive(es.url, "POST", startShot, {
        connections: 32,
        durationS: seconds,
        overallRate: rate,
      });
      const l = await lag.stop();
      console.log(
        `${r.rps} req/s (p50 ${r.p50_ms} ms): lag p50 ${l.p50_ms} ms p99 ${l.p99_ms} ms max ${l.max_ms} ms ` +
          `(${l.samples} samples); load ${loadavg()[0]?.toFixed(1)}`,
      );
    } finally {
      await es.stop();
    }
  } finally {
    await server.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
