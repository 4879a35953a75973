/**
 * One server process for the HTTP phases, so the load generator does not share its event loop:
 * `serve.ts es <database url>` runs the product (API + projector); `serve.ts crud <database url>` the baseline.
 * Prints "READY <url>" once listening and stops on SIGTERM.
 */
import { loadConfig } from "../src/config";
import { createLogger } from "../src/logger";
import { startService } from "../src/service";
import { startCrudServer } from "./crud/server";
import { countStatementsOnSignal } from "./statementCount";

async function main() {
  const [mode, databaseUrl] = process.argv.slice(2);
  if (!databaseUrl || (mode !== "es" && mode !== "crud")) throw new Error("usage: serve.ts es|crud <url>");
  const secret = process.env.OSS_IDENTITY_SECRET;
  if (!secret) throw new Error("OSS_IDENTITY_SECRET is required");
  if (process.env.BENCH_STATEMENTS_FILE) countStatementsOnSignal(process.env.BENCH_STATEMENTS_FILE);
  let stop: () => Promise<void>;
  let url: string;
  if (mode === "es") {
    const config = loadConfig({
      ...process.env,
      DATABASE_URL: databaseUrl,
      PORT: "0",
      HOST: "127.0.0.1",
      LOG_LEVEL: "warn",
      RATE_LIMIT_PER_IP: "10000000",
      RATE_LIMIT_PER_IDENTITY: "10000000",
    });
    const service = await startService(config, createLogger(config.LOG_LEVEL));
    url = service.url;
    stop = service.stop;
  } else {
    const server = await startCrudServer({
      databaseUrl,
      secret,
      poolSize: Number(process.env.DB_POOL_SIZE ?? 20),
    });
    url = server.url;
    stop = server.stop;
  }
  process.stdout.write(`READY ${url}\n`);
  process.once("SIGTERM", () => {
    setTimeout(() => process.exit(2), 10_000).unref(); // a stuck request must not hold the bench
    stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
