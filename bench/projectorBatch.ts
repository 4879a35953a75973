/**
 * `npx tsx bench/projectorBatch.ts [batches]`: the projector's batch apply alone, as the live projector runs it
 * for one StartChat (a user's and a session's first event, with its checkpoint): the batches applied one after
 * another, each timed (wall) with the Node CPU it took and the SQL statements it sent, and the CPU of the
 * database's Postgres backends over them. No HTTP, no follower.
 */
import { randomUUID } from "node:crypto";
import { loadavg } from "node:os";
import { Client } from "pg";
import { loadConfig } from "../src/config";
import { logStart, type RecordedEvent } from "../src/eventstore/eventStore";
import { createLogger } from "../src/logger";
import { applyEvents } from "../src/projections/applyEvents";
import { openDatabase } from "../src/service";
import { cpuMeter } from "./cpuTime";
import { openBenchServer } from "./postgres";

let statements = 0;
const original = Client.prototype.query;
Client.prototype.query = function (this: Client, ...args: unknown[]) {
  statements++;
  return (original as (...a: unknown[]) => unknown).apply(this, args);
} as typeof Client.prototype.query;

const percentile = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? 0;

async function main() {
  const n = Number(process.argv[2] ?? 500);
  const server = await openBenchServer();
  try {
    const url = await server.createDatabase("projbatch");
    const database = await openDatabase(
      loadConfig({ ...process.env, DATABASE_URL: url, LOG_LEVEL: "silent" }),
      createLogger("silent"),
    );
    try {
      for (let i = 0; i < n; i++) {
        const owner = randomUUID();
        const metadata = {
          occurred_at: new Date().toISOString(),
          correlation_id: randomUUID(),
          causation_id: null,
          actor: { kind: "anonymous" as const, id: randomUUID() },
          ip: "127.0.0.1",
          user_agent: "bench",
          owner_id: owner,
        };
        const sessionId = randomUUID();
        await database.store.appendToStreams([
          {
            streamId: `chatUser-${owner}`,
            expected: "no_stream",
            events: [
              {
                type: "ChatUserRegistered",
                id: randomUUID(),
                metadata,
                data: {
                  chat_user_id: owner,
                  browser_uuid: randomUUID(),
                  oss_user_id: null,
                  email: null,
                  is_anonymous: true,
                  ip_address: "127.0.0.1",
                  user_agent: "bench",
                },
              },
            ],
          },
          {
            streamId: `chatSession-${sessionId}`,
            expected: "no_stream",
            events: [
              {
                type: "ChatSessionStarted",
                id: randomUUID(),
                metadata,
                data: {
                  session_id: sessionId,
                  chat_user_id: owner,
                  topic: "Pertanyaan",
                  priority: "normal",
                  channel: "web",
                },
              },
            ],
          },
        ]);
      }
      const events = await database.store.readAll(logStart, 2 * n + 10);
      const batches: RecordedEvent[][] = [];
      for (let i = 0; i < events.length; i += 2) batches.push(events.slice(i, i + 2));
      const wall: number[] = [];
      const cpu: number[] = [];
      statements = 0;
      const meter = await cpuMeter(process.pid, url);
      for (const batch of batches) {
        const started = performance.now();
        const usage = process.cpuUsage();
        await applyEvents(database.knex, batch, {
          schema: "public",
          projector: "read_model",
          checkpoint: (batch.at(-1) as RecordedEvent).logPosition,
        });
        const used = process.cpuUsage(usage);
        cpu.push(used.user + used.system);
        wall.push(performance.now() - started);
      }
      const { postgresMs } = await meter.stop();
      const round = (x: number) => Math.round(x * 100) / 100;
      console.log(
        `${batches.length} batches of 2 events: ${round(statements / batches.length)} statements per batch; ` +
          `wall p50 ${round(percentile(wall, 50))} ms p99 ${round(percentile(wall, 99))} ms; ` +
          `Node CPU p50 ${Math.round(percentile(cpu, 50))} µs mean ${Math.round(cpu.reduce((a, b) => a + b, 0) / cpu.length)} µs; ` +
          `Postgres backends ${Math.round((postgresMs * 1000) / batches.length)} µs per batch; ` +
          `load ${loadavg()[0]?.toFixed(1)}`,
      );
    } finally {
      await database.close();
    }
  } finally {
    await server.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
