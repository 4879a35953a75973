import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
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
}

export interface KafkaBrokerOptions {
  /** Client port; default: KAFKA_PORT from the environment, else a free port. */
  port?: number;
  /** KRaft controller port; default: KAFKA_CONTROLLER_PORT from the environment, else a free port. */
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

function envPort(name: string): number | undefined {
  const value = process.env[name];
  return value ? Number(value) : undefined;
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
  const port = opts.port ?? envPort("KAFKA_PORT") ?? (await freePort());
  let controllerPort = opts.controllerPort ?? envPort("KAFKA_CONTROLLER_PORT") ?? (await freePort());
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
    async restart() {
      await stop();
      await run(["start"], env, START_TIMEOUT_MS);
    },
  };
}
