import { readFile } from "node:fs/promises";
import { Client } from "pg";

const TICK_MS = 10; // USER_HZ = 100 on Linux

/** CPU time (user + system, ms) a process has used so far, from /proc; 0 once it is gone. */
export async function processCpuMs(pid: number): Promise<number> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS; // utime, stime
  } catch {
    return 0;
  }
}

/**
 * CPU time of one server process and of the Postgres backends serving one database, over a phase: how a
 * request's cost splits between the Node process and Postgres. Postgres work done outside those backends
 * (WAL writer, checkpointer) is not counted.
 */
export async function cpuMeter(serverPid: number, databaseUrl: string) {
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  const database = new URL(databaseUrl).pathname.slice(1);
  const backends = async () =>
    (
      await db.query<{ pid: number }>(
        "SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
        [database],
      )
    ).rows.map((r) => r.pid);
  const sample = async () => {
    const pids = await backends();
    const each = new Map<number, number>();
    for (const pid of pids) each.set(pid, await processCpuMs(pid));
    return { server: await processCpuMs(serverPid), backends: each };
  };
  const before = await sample();
  return {
    async stop() {
      const after = await sample();
      await db.end();
      let postgres = 0;
      // A backend that appeared during the phase counts from 0; one that ended is lost (pools keep theirs).
      for (const [pid, ms] of after.backends) postgres += ms - (before.backends.get(pid) ?? 0);
      return { serverMs: after.server - before.server, postgresMs: postgres };
    },
  };
}
