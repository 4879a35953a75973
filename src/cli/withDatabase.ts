import pino from "pino";
import type { ZodType } from "zod";
import { ConfigError, loadConfig } from "../config";
import { createLogger } from "../logger";
import { type Database, openDatabase } from "../service";

/** Opens the configured database for one CLI command (logging to stderr, so stdout stays data) and closes it. */
export async function withDatabase<T>(run: (db: Database) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL, "livechat", pino.destination(2));
  const db = await openDatabase(config, logger);
  try {
    return await run(db);
  } finally {
    await db.close();
  }
}

/** Validates command-line options with the API's own schema; a bad one fails naming the option. */
export function parseOptions<T>(command: string, schema: ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `--${i.path.join(".").replaceAll("_", "-")}: ${i.message}`);
  throw new ConfigError(`${command}: ${problems.join("; ")}`);
}
