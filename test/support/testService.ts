import { loadConfig } from "../../src/config";
import { createLogger } from "../../src/logger";
import {
  type Database,
  openDatabase,
  type RunningService,
  type ServiceParts,
  startService,
} from "../../src/service";
import { TEST_IDENTITY_SECRET } from "./identity";
import { createTestDatabase, type TestDatabase } from "./testDatabase";

export interface TestService extends RunningService {
  readonly db: TestDatabase;
  post(
    path: string,
    body: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: any; headers: Headers }>;
  get(
    path: string,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: any; headers: Headers }>;
}

/** The whole service (API + projector) on a fresh database, listening on a free port. */
export async function startTestService(
  env: Record<string, string> = {},
  parts?: ServiceParts,
  db?: TestDatabase,
): Promise<TestService> {
  const database = db ?? (await createTestDatabase());
  const config = loadConfig({
    DATABASE_URL: database.url,
    PORT: "0",
    HOST: "127.0.0.1",
    LOG_LEVEL: "silent",
    PROJECTOR_POLL_MS: "50",
    // Read-your-writes waits up to this long; on a loaded 2-core CI box the projector can trail by seconds.
    READ_YOUR_WRITES_TIMEOUT_MS: "15000",
    OSS_IDENTITY_SECRET: TEST_IDENTITY_SECRET,
    ...env,
  });
  const service = await startService(config, createLogger(config.LOG_LEVEL), parts);
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${service.url}${path}`, {
      method,
      headers: body === undefined ? headers : { "content-type": "application/json", ...headers },
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON: keep the text so the assertion shows it
    }
    return { status: res.status, body: parsed as any, headers: res.headers };
  };
  return {
    ...service,
    db: database,
    post: (path, body, headers) => call("POST", path, body, headers),
    get: (path, headers) => call("GET", path, undefined, headers),
    async stop() {
      await service.stop();
      if (!db) await database.drop();
    },
  };
}

/** The migrated database at `url` (store + knex), quietly, without the API or a projector. */
export function openQuietDatabase(url: string): Promise<Database> {
  return openDatabase(loadConfig({ DATABASE_URL: url, LOG_LEVEL: "silent" }), createLogger("silent"));
}
