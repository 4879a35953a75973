import { randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Knex } from "knex";
import type { Logger } from "pino";
import { ConfigError } from "../config";
import { checkKek, WrongKekError } from "./postgresKeyStore";

export const KEK_FILE = "pii-kek";

/**
 * The key-encryption key: PII_KEK, or (outside production) one generated on first start and kept in the data
 * directory, with a warning: whoever copies that directory with a backup of the database can read everything.
 */
export async function resolveKek(
  configured: Buffer | null,
  dataDir: string,
  logger: Logger,
): Promise<Buffer> {
  if (configured) return configured;
  const file = path.resolve(dataDir, KEK_FILE);
  let encoded: string;
  try {
    encoded = (await readFile(file, "utf8")).trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    await mkdir(path.dirname(file), { recursive: true });
    // "wx": two processes starting at once must not each write a different key.
    await writeFile(file, `${randomBytes(32).toString("base64")}\n`, { mode: 0o600, flag: "wx" }).catch(
      (e: NodeJS.ErrnoException) => {
        if (e.code !== "EEXIST") throw e;
      },
    );
    encoded = (await readFile(file, "utf8")).trim();
  }
  const kek = Buffer.from(encoded, "base64");
  if (kek.length !== 32)
    throw new ConfigError(
      `Invalid configuration: PII_KEK: the key kept in ${file} is not 32 bytes of base64`,
    );
  logger.warn(
    { file },
    "PII_KEK is not set: personal data is encrypted with a key-encryption key kept in the data directory; set PII_KEK (and back it up apart from the database) in production",
  );
  return kek;
}

/** Fails at start, naming PII_KEK, when the key is not the one that wrapped the stored data keys. */
export async function assertKekMatches(knex: Knex, kek: Buffer): Promise<void> {
  try {
    await checkKek(knex, kek);
  } catch (err) {
    if (err instanceof WrongKekError) throw new ConfigError(`Invalid configuration: ${err.message}`);
    throw err;
  }
}
