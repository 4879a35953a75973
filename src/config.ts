import { z } from "zod";
import { type IdentityKeyConfig, parseIdentityKey } from "./identityKeyConfig";

const bool = z.enum(["true", "false", "1", "0"]).transform((v) => v === "true" || v === "1");
const int = (min: number, max: number) =>
  z.string().regex(/^\d+$/, "must be a whole number").transform(Number).pipe(z.number().min(min).max(max));

const envSchema = z.object({
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  DB_HOST: z.string().min(1).optional(),
  DB_PORT: int(1, 65535).default(5432),
  DB_NAME: z.string().min(1).default("livechat_oss"),
  DB_USER: z.string().min(1).default("postgres"),
  DB_PASSWORD: z.string().optional(),
  DB_POOL_SIZE: int(1, 200).default(20),
  DATA_DIR: z.string().min(1).default(".data"),
  PORT: int(0, 65535).default(8080),
  HOST: z.string().min(1).default("0.0.0.0"),
  METRICS_PORT: int(0, 65535).optional(),
  METRICS_HOST: z.string().min(1).default("0.0.0.0"),
  TRUST_PROXY: z.string().optional(),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  READ_YOUR_WRITES_TIMEOUT_MS: int(0, 30_000).default(2000),
  REQUEST_TIMEOUT_MS: int(1000, 600_000).default(30_000),
  // Above the idle timeouts of common proxies and load balancers (60 s): they, not this server, close first.
  HTTP_KEEP_ALIVE_TIMEOUT_MS: int(1000, 3_600_000).default(65_000),
  HTTP_KEEP_ALIVE_GRACE_MS: int(0, 600_000).default(5000),
  LOG_CHECKPOINT_INTERVAL_S: int(0, 7 * 86_400).default(300),
  IDEMPOTENCY_TTL_S: int(60, 30 * 86_400).default(86_400),
  PROJECTOR_BATCH_SIZE: int(1, 10_000).default(500),
  PROJECTOR_POLL_MS: int(10, 60_000).default(500),
  APPEND_BATCH_MAX: int(0, 500).default(64),
  APPEND_BATCH_WINDOW_US: int(0, 10_000).default(200),
  EVENT_STORE: z.enum(["postgres", "eventstoredb"]).default("postgres"),
  BUS: z.enum(["direct", "kafka"]).default("direct"),
  EVENTSTORE_URL: z
    .string()
    .regex(/^(esdb|esdb\+discover|kurrentdb|kurrentdb\+discover):\/\//, "must be an esdb:// URL")
    .optional(),
  KAFKA_BROKERS: z.string().min(1).optional(),
  KAFKA_TOPIC: z.string().min(1).default("livechat.events"),
  KAFKA_TOPIC_PARTITIONS: int(1, 1000).default(6),
  KAFKA_CLIENT_ID: z.string().min(1).default("livechat"),
  KAFKA_GROUP_ID: z.string().min(1).default("livechat-projector"),
  // A worker that dies is noticed within the session timeout. The broker must allow it:
  // group.min.session.timeout.ms (6000 by default) at or below it; scripts/kafka.sh and docker-compose set 1000.
  KAFKA_SESSION_TIMEOUT_MS: int(1000, 300_000).default(2000),
  KAFKA_HEARTBEAT_INTERVAL_MS: int(100, 60_000).default(400),
  EMBEDDED_PG_PORT: int(0, 65535).optional(),
  ENSURE_DATABASE: bool.default(true),
  OSS_IDENTITY_SECRET: z.string().min(32, "must be at least 32 characters (256 bits) for HS256").optional(),
  OSS_IDENTITY_PUBLIC_KEY: z.string().min(1).optional(),
  OSS_IDENTITY_JWKS_URL: z.url({ protocol: /^https?$/ }).optional(),
  OSS_IDENTITY_ISSUER: z.string().min(1).optional(),
  OSS_IDENTITY_AUDIENCE: z.string().min(1).optional(),
  CORS_ORIGINS: z.string().optional(),
  REDIS_URL: z.url({ protocol: /^rediss?$/ }).optional(),
  RATE_LIMIT_REDIS_PREFIX: z.string().min(1).max(100).default("livechat:rl:"),
  RATE_LIMIT_WINDOW_MS: int(1000, 3_600_000).default(60_000),
  // Generous defaults so a benchmark from one address is not throttled; production sets its own.
  RATE_LIMIT_PER_IP: int(0, 10_000_000).default(60_000),
  RATE_LIMIT_PER_IDENTITY: int(0, 10_000_000).default(12_000),
  // Webhook targets on private or loopback addresses are refused unless this is set (development, tests).
  WEBHOOK_ALLOW_PRIVATE: bool.default(false),
  WEBHOOK_MAX_ATTEMPTS: int(1, 100).default(12),
  WEBHOOK_BACKOFF_BASE_MS: int(10, 3_600_000).default(5000),
  WEBHOOK_BACKOFF_MAX_MS: int(10, 86_400_000).default(3_600_000),
  WEBHOOK_TIMEOUT_MS: int(100, 120_000).default(10_000),
  WEBHOOK_POLL_MS: int(10, 60_000).default(1000),
  WEBHOOK_CONCURRENCY: int(1, 100).default(8),
  WS_AUTH_TIMEOUT_MS: int(100, 600_000).default(10_000),
  WS_HEARTBEAT_MS: int(100, 600_000).default(30_000),
  WS_MAX_BUFFERED_BYTES: int(1024, 1024 * 1024 * 1024).default(1024 * 1024),
  WS_MAX_FRAME_BYTES: int(256, 1024 * 1024).default(16 * 1024),
  WS_MAX_SOCKETS_PER_IP: int(1, 10_000_000).default(1000),
  WS_MAX_SOCKETS_PER_CREDENTIAL: int(1, 10_000_000).default(10),
  WS_MAX_SUBSCRIPTIONS_PER_SOCKET: int(1, 100_000).default(100),
  WS_FRAMES_PER_SECOND: int(1, 100_000).default(20),
  WS_FRAME_BURST: int(1, 100_000).default(40),
  WS_TYPING_PER_SECOND: int(1, 100).default(1),
  NODE_ENV: z.string().optional(),
  PII_KEK: z.string().optional(),
  PII_KEY_CACHE_TTL_MS: int(0, 3_600_000).default(60_000),
  RETENTION_DAYS_MESSAGES: int(1, 36_500).optional(),
  RETENTION_INTERVAL_MS: int(60_000, 604_800_000).default(3_600_000),
  // manual: agents claim from the queue; auto: a new waiting session goes to the least busy available agent.
  ROUTING: z.enum(["manual", "auto"]).default("manual"),
  MAX_CHATS_PER_AGENT: int(1, 1000).default(5),
  ROUTING_INTERVAL_MS: int(50, 60_000).default(1000),
});

export type Config = z.infer<typeof envSchema> & {
  /** The Postgres to use, or null for the embedded one. */
  readonly databaseUrl: string | null;
  readonly trustProxy: boolean | number | string[] | undefined;
  /** Origins allowed by CORS; empty: no cross-origin access. */
  readonly corsOrigins: string[] | "*";
  /** How OSS identity tokens are verified, or null when no key is configured. */
  readonly identityKey: IdentityKeyConfig | null;
  /** The key-encryption key of personal data, or null: the embedded default keeps one in DATA_DIR. */
  readonly piiKek: Buffer | null;
};

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

function parseTrustProxy(value: string | undefined): Config["trustProxy"] {
  const v = value?.trim().toLowerCase();
  if (v === undefined || v === "" || v === "false" || v === "0" || v === "no") return undefined;
  if (v === "true" || v === "yes") return true;
  if (/^\d+$/.test(v)) return Number(v);
  return (value as string).split(",").map((s) => s.trim());
}

function parseCorsOrigins(value: string | undefined): Config["corsOrigins"] {
  const origins = (value ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  if (origins.includes("*")) return "*";
  for (const origin of origins) {
    if (!/^https?:\/\/[^/\s]+$/.test(origin)) {
      throw new ConfigError(
        `Invalid configuration: CORS_ORIGINS: "${origin}" is not an origin like https://oss.go.id`,
      );
    }
  }
  return origins;
}

/** PII_KEK: exactly 32 bytes in base64; required in production, where losing it loses everyone's data. */
function parsePiiKek(value: string | undefined, nodeEnv: string | undefined): Buffer | null {
  if (value === undefined) {
    if (nodeEnv === "production")
      throw new ConfigError(
        "Invalid configuration: PII_KEK: required when NODE_ENV=production (32 random bytes in base64, e.g. `openssl rand -base64 32`)",
      );
    return null;
  }
  const trimmed = value.trim();
  const key = Buffer.from(trimmed, "base64");
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(trimmed) || key.length !== 32)
    throw new ConfigError(
      `Invalid configuration: PII_KEK: must be 32 random bytes in base64 (decodes to ${key.length} bytes)`,
    );
  return key;
}

/** Reads the configuration from the environment; anything invalid fails here, naming the variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    throw new ConfigError(`Invalid configuration: ${problems.join("; ")}`);
  }
  const c = parsed.data;
  let databaseUrl: string | null = c.DATABASE_URL ?? null;
  if (databaseUrl === null && c.DB_HOST !== undefined) {
    const auth =
      c.DB_PASSWORD === undefined
        ? encodeURIComponent(c.DB_USER)
        : `${encodeURIComponent(c.DB_USER)}:${encodeURIComponent(c.DB_PASSWORD)}`;
    const host = c.DB_HOST.includes(":") && !c.DB_HOST.startsWith("[") ? `[${c.DB_HOST}]` : c.DB_HOST;
    databaseUrl = `postgres://${auth}@${host}:${c.DB_PORT}/${encodeURIComponent(c.DB_NAME)}`;
  }
  if (c.EVENT_STORE === "eventstoredb" && c.EVENTSTORE_URL === undefined) {
    throw new ConfigError("Invalid configuration: EVENTSTORE_URL: required when EVENT_STORE=eventstoredb");
  }
  if (c.METRICS_PORT !== undefined && c.METRICS_PORT !== 0 && c.METRICS_PORT === c.PORT) {
    throw new ConfigError(
      "Invalid configuration: METRICS_PORT: must differ from PORT (metrics are not public)",
    );
  }
  if (c.BUS === "kafka" && c.KAFKA_BROKERS === undefined) {
    throw new ConfigError("Invalid configuration: KAFKA_BROKERS: required when BUS=kafka");
  }
  return {
    ...c,
    databaseUrl,
    trustProxy: parseTrustProxy(c.TRUST_PROXY),
    corsOrigins: parseCorsOrigins(c.CORS_ORIGINS),
    identityKey: parseIdentityKey(c, (message) => new ConfigError(`Invalid configuration: ${message}`)),
    piiKek: parsePiiKek(c.PII_KEK, c.NODE_ENV),
  };
}
