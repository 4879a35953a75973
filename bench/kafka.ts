import { randomBytes } from "node:crypto";
import { createServer } from "node:net";
import { performance } from "node:perf_hooks";
import { Client } from "pg";
import { type CliProcess, spawnCli } from "../test/support/cliProcess";
import { type KafkaBroker, startKafkaBroker } from "../test/support/kafkaBroker";
import { startShot } from "./http";
import { appliedUpTo, headPosition, type LagResult, sampleLag, waitForProjector } from "./lag";
import { backgroundLoad, drive, round } from "./load";

export interface KafkaResults {
  readonly rate_rps: number;
  readonly achieved_rps: number;
  /** StartChat response → row visible, through relay → broker → projector worker, at `rate_rps`. */
  readonly lag: LagResult;
  /** One of two workers SIGKILLed under load: the longest a StartChat answered after the kill waited. */
  readonly projector_kill_stall_s: number;
  /** The killed worker started again: the longest wait while it rejoined (an eager rebalance). */
  readonly projector_rejoin_stall_s: number;
  /** Broker stopped under load, started again: from the broker accepting connections to every event
   *  appended until then being applied. */
  readonly broker_down_s: number;
  readonly broker_back_resume_s: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

/** Waits until every event appended up to now is applied; returns the seconds that took. */
async function resumeTime(db: Client, after: bigint, timeoutMs = 120_000): Promise<number> {
  const from = performance.now();
  const upTo = await headPosition(db);
  while (!(await appliedUpTo(db, after, upTo))) {
    if (performance.now() - from > timeoutMs) throw new Error("Kafka projectors did not catch up");
    await sleep(20);
  }
  return (performance.now() - from) / 1000;
}

/**
 * Distributed mode on the broker scripts/kafka.sh runs: the API, the relay and two projector workers, each a
 * process of its own (as `livechat api|relay|projector`). Measures the projection lag at the direct mode's
 * half-load rate, then two faults under load: a worker SIGKILLed (and started again), and a broker restart.
 */
export async function runKafka(opts: {
  databaseUrl: string;
  rateRps: number;
  durationS: number;
  connections: number;
  log: (msg: string) => void;
}): Promise<KafkaResults> {
  const { log } = opts;
  const suffix = randomBytes(4).toString("hex");
  let broker: KafkaBroker | null = null;
  const procs: CliProcess[] = [];
  const db = new Client({ connectionString: opts.databaseUrl });
  try {
    broker = await startKafkaBroker();
    const port = await freePort();
    const env = {
      DATABASE_URL: opts.databaseUrl,
      BUS: "kafka",
      KAFKA_BROKERS: broker.brokers.join(","),
      KAFKA_TOPIC: `livechat.events.${suffix}`,
      KAFKA_GROUP_ID: `livechat-projector-${suffix}`,
      RATE_LIMIT_PER_IP: "10000000",
      RATE_LIMIT_PER_IDENTITY: "10000000",
      OSS_IDENTITY_SECRET: randomBytes(32).toString("base64url"),
    };
    const api = spawnCli("api", { ...env, LOG_LEVEL: "warn", PORT: String(port), HOST: "127.0.0.1" });
    procs.push(api);
    const url = `http://127.0.0.1:${port}`;
    for (const deadline = Date.now() + 60_000; ; ) {
      if (
        await fetch(`${url}/healthz`).then(
          (r) => r.ok,
          () => false,
        )
      )
        break;
      if (Date.now() > deadline || api.child.exitCode !== null)
        throw new Error(`API did not start:\n${api.output()}`);
      await sleep(100);
    }
    const relay = spawnCli("relay", env);
    const workers = [spawnCli("projector", env), spawnCli("projector", env)];
    procs.push(relay, ...workers);
    await relay.waitForOutput(/relay active/);
    await Promise.all(workers.map((w) => w.waitForOutput(/projector worker joined/)));
    await db.connect();

    const rate = opts.rateRps;
    await drive(url, "POST", startShot, { connections: opts.connections, durationS: 2, overallRate: rate });
    await waitForProjector(opts.databaseUrl);
    const lagSampler = sampleLag(url, opts.databaseUrl);
    const loaded = await drive(url, "POST", startShot, {
      connections: opts.connections,
      durationS: opts.durationS,
      overallRate: rate,
    });
    const lag = await lagSampler.stop();
    log(`kafka lag at ${rate} req/s: p50 ${lag.p50_ms} ms p99 ${lag.p99_ms} ms (${lag.samples} samples)`);

    // A worker killed: its partitions wait for the session timeout, then the group rebalances.
    await waitForProjector(opts.databaseUrl);
    const load = backgroundLoad(url, startShot, rate / 2);
    const sampler = sampleLag(url, opts.databaseUrl);
    await sleep(2000);
    const killedAt = performance.now();
    await workers[0]?.kill("SIGKILL");
    await sleep(8000);
    const restartedAt = performance.now();
    const again = spawnCli("projector", env);
    procs.push(again);
    await again.waitForOutput(/projector worker joined/);
    await sleep(5000);
    await sampler.stop();
    // The longest any StartChat waited after `from`: a sample answered before the fault counts from the fault.
    const worst = (from: number, to: number) =>
      Math.max(
        0,
        ...sampler.timeline
          .filter((s) => s.visible > from && s.answered < to)
          .map((s) => s.visible - Math.max(s.answered, from)),
      );
    const killStall = worst(killedAt, restartedAt) / 1000;
    const rejoinStall = worst(restartedAt, Number.POSITIVE_INFINITY) / 1000;
    log(
      `kafka worker SIGKILL: stall ${round(killStall, 2)} s; restarted worker rejoining: stall ${round(rejoinStall, 2)} s`,
    );

    // The broker restarted: the relay and the workers reconnect on their own.
    await waitForProjector(opts.databaseUrl);
    const before = await headPosition(db);
    await sleep(1000);
    const downAt = performance.now();
    await broker.stop();
    await sleep(3000);
    await broker.start();
    const downS = (performance.now() - downAt) / 1000;
    const resume = await resumeTime(db, before);
    const sent = await load.stop();
    log(
      `kafka broker down ${round(downS, 1)} s: consumption resumed ${round(resume, 2)} s after it was back ` +
        `(${sent.sent} StartChats in the background, ${sent.failed} failed)`,
    );
    return {
      rate_rps: rate,
      achieved_rps: round(loaded.rps),
      lag,
      projector_kill_stall_s: round(killStall, 2),
      projector_rejoin_stall_s: round(rejoinStall, 2),
      broker_down_s: round(downS, 1),
      broker_back_resume_s: round(resume, 2),
    };
  } finally {
    await Promise.all(procs.map((p) => p.kill("SIGTERM")));
    await db.end().catch(() => undefined);
    await broker?.stop().catch(() => undefined);
  }
}
