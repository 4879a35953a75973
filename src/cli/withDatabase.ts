import type { ZodType } from "zod";
import { ConfigError, loadConfig } from "../config";
import { type Database, openDatabase, withRunningEmbedded } from "../database";
import { createProcessLogger } from "../logger";

/**
 * Opens the configured database for one CLI command and closes it. Logs go to stderr, so stdout carries only
 * the command's result (`KEY=$(livechat keys create …)`). With the embedded default and `livechat start`
 * running, it uses that service's Postgres.
 */
export async function withDatabase<T>(run: (db: Database) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const logger = createProcessLogger(config.LOG_LEVEL, 2);
  const db = await openDatabase(await withRunningEmbedded(config, logger), logger);
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
