import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

/**
 * A real single-node Kafka broker (KRaft) run from Kafka's jars by scripts/kafka.sh, for integration tests.
 * Each broker gets a fresh temp state dir; restart() keeps it (same data, same ports).
 */
export interface KafkaBroker {
  /** Bootstrap addresses for kafkajs, e.g. ["127.0.0.1:41234"]. */
  readonly brokers: string[];
  /** Stops the broker and waits for it to exit. The data is kept until the process exits, so restart() still works. */
  stop(): Promise<void>;
  /** Stops the broker (if running) and starts it again on the same data dir and ports; resolves once it is ready. */
  restart(): Promise<void>;
  /** Starts a stopped broker again on its data dir and ports; resolves once it accepts connections (no warm-up). */
  start(): Promise<void>;
}

export interface KafkaBrokerOptions {
  /** Client port; default: a free port (so parallel runs and several brokers never collide). */
  port?: number;
  /** KRaft controller port; default: a free port. */
  controllerPort?: number;
}

const repoRoot = resolve(__dirname, "..", "..");
const script = join(repoRoot, "scripts", "kafka.sh");
/** First run downloads ~45 MB of jars through Maven; later runs are a no-op. */
const FETCH_TIMEOUT_MS = 10 * 60_000;
/** kafka.sh waits up to 60 s for readiness itself; stop waits up to 30 s plus port release. */
const START_TIMEOUT_MS = 90_000;
const STOP_TIMEOUT_MS = 60_000;

const liveStateDirs = new Set<string>();
let exitHookInstalled = false;

function run(args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    execFile(
      "bash",
      [script, ...args],
      { cwd: repoRoot, env, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) {
          reject(new Error(`scripts/kafka.sh ${args.join(" ")} failed: ${error.message}\n${stderr}`));
          return;
        }
        resolvePromise(stdout.trim());
      },
    );
  });
}

function freePort(): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolvePromise(port) : reject(new Error("no free port"))));
    });
  });
}

/** One request/response on a fresh connection; returns the response body (after the correlation id). */
function kafkaRequest(port: number, apiKey: number, apiVersion: number, body: Buffer): Promise<Buffer> {
  return new Promise((resolvePromise, reject) => {
    const clientId = Buffer.from("kafka-broker-warmup");
    const header = Buffer.alloc(10);
    header.writeInt16BE(apiKey, 0);
    header.writeInt16BE(apiVersion, 2);
    header.writeInt32BE(1, 4);
    header.writeInt16BE(clientId.length, 8);
    const payload = Buffer.concat([header, clientId, body]);
    const size = Buffer.alloc(4);
    size.writeInt32BE(payload.length, 0);

    const socket = connect({ host: "127.0.0.1", port });
    let received = Buffer.alloc(0);
    socket.setTimeout(5000, () => socket.destroy(new Error("timeout")));
    socket.on("connect", () => socket.write(Buffer.concat([size, payload])));
    socket.on("data", (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (received.length >= 4 && received.length >= 4 + received.readInt32BE(0)) {
        socket.end();
        resolvePromise(received.subarray(8, 4 + received.readInt32BE(0)));
      }
    });
    socket.on("error", reject);
    socket.on("close", () => reject(new Error("connection closed before a response")));
  });
}

function kafkaString(value: string | null): Buffer {
  if (value === null) return Buffer.from([0xff, 0xff]);
  const bytes = Buffer.from(value);
  const length = Buffer.alloc(2);
  length.writeInt16BE(bytes.length, 0);
  return Buffer.concat([length, bytes]);
}

function int32(value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(value, 0);
  return b;
}

/**
 * The broker creates __consumer_offsets and its producer-id block lazily, so the first consumer group or
 * idempotent producer of a fresh (or restarted) broker meets COORDINATOR_NOT_AVAILABLE / LOAD_IN_PROGRESS,
 * which kafkajs survives by retrying or by restarting a crashed consumer. Doing that here, once, keeps the
 * first test deterministic. Requests use the same non-flexible versions kafkajs 2.2.4 sends.
 */
async function warmUpCoordinators(port: number, timeoutMs = 60_000): Promise<void> {
  const group = "kafka-broker-warmup";
  const steps: { name: string; call: () => Promise<number> }[] = [
    {
      // FindCoordinator v2 (key, key_type=group) -> throttle_time_ms, error_code, ...
      name: "FindCoordinator(group)",
      call: async () =>
        (await kafkaRequest(port, 10, 2, Buffer.concat([kafkaString(group), Buffer.from([0])]))).readInt16BE(
          4,
        ),
    },
    {
      // OffsetFetch v3 (group_id, topics=null) -> throttle_time_ms, topics[] (empty), error_code
      name: "OffsetFetch",
      call: async () => {
        const body = await kafkaRequest(port, 9, 3, Buffer.concat([kafkaString(group), int32(-1)]));
        return body.readInt32BE(4) === 0 ? body.readInt16BE(8) : 0;
      },
    },
    {
      // InitProducerId v1 (transactional_id=null, timeout) -> throttle_time_ms, error_code, ...
      name: "InitProducerId",
      call: async () =>
        (await kafkaRequest(port, 22, 1, Buffer.concat([kafkaString(null), int32(60_000)]))).readInt16BE(4),
    },
  ];
  const deadline = Date.now() + timeoutMs;
  for (const step of steps) {
    let last = "";
    for (;;) {
      try {
        const errorCode = await step.call();
        if (errorCode === 0) break;
        last = `error code ${errorCode}`;
      } catch (error) {
        last = error instanceof Error ? error.message : String(error);
      }
      if (Date.now() > deadline)
        throw new Error(`Kafka broker on port ${port} not ready: ${step.name}: ${last}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** Last resort if a test forgets stop(): signal the JVMs and remove the temp dirs (sync, runs at exit). */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", () => {
    for (const dir of liveStateDirs) {
      try {
        const pid = Number(readFileSync(join(dir, "kafka.pid"), "utf8").trim());
        if (pid > 0) process.kill(pid, "SIGTERM");
      } catch {
        // not running
      }
      if (!process.env.KAFKA_KEEP_STATE) rmSync(dir, { recursive: true, force: true });
    }
  });
}

export async function startKafkaBroker(opts: KafkaBrokerOptions = {}): Promise<KafkaBroker> {
  const port = opts.port ?? (await freePort());
  let controllerPort = opts.controllerPort ?? (await freePort());
  while (controllerPort === port) controllerPort = await freePort();

  const stateDir = mkdtempSync(join(tmpdir(), "kafka-broker-"));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    KAFKA_STATE_DIR: stateDir,
    KAFKA_PORT: String(port),
    KAFKA_CONTROLLER_PORT: String(controllerPort),
    KAFKA_HOST: "127.0.0.1",
    // The broker is stopped by a watcher if this process dies without calling stop().
    KAFKA_WATCH_PID: String(process.pid),
  };
  installExitHook();
  liveStateDirs.add(stateDir);

  try {
    await run(["fetch"], env, FETCH_TIMEOUT_MS);
    const bootstrap = await run(["start"], env, START_TIMEOUT_MS);
    const last = bootstrap.split("\n").pop() ?? "";
    if (last !== `127.0.0.1:${port}`) throw new Error(`unexpected kafka.sh start output: ${bootstrap}`);
    await warmUpCoordinators(port);
  } catch (error) {
    await run(["stop"], env, STOP_TIMEOUT_MS).catch(() => undefined);
    liveStateDirs.delete(stateDir);
    if (!process.env.KAFKA_KEEP_STATE) rmSync(stateDir, { recursive: true, force: true });
    throw error;
  }

  const stop = async (): Promise<void> => {
    await run(["stop"], env, STOP_TIMEOUT_MS);
  };
  return {
    brokers: [`127.0.0.1:${port}`],
    stop,
    async start() {
      await run(["start"], env, START_TIMEOUT_MS);
    },
    async restart() {
      await stop();
      await run(["start"], env, START_TIMEOUT_MS);
      await warmUpCoordinators(port);
    },
  };
}
