import { ConfigError, loadConfig } from "../../src/config";

/** The message loadConfig throws for env, failing the test if it does not throw a ConfigError. */
function configError(env: NodeJS.ProcessEnv): string {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).message;
  }
  throw new Error(`expected ${JSON.stringify(env)} to be rejected`);
}

describe("loadConfig", () => {
  it("uses the defaults for an empty environment: port 8080 and the embedded database", () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      PORT: 8080,
      HOST: "0.0.0.0",
      databaseUrl: null,
      EVENT_STORE: "postgres",
      BUS: "direct",
      trustProxy: undefined,
      ENSURE_DATABASE: true,
    });
  });

  it("routes manually with at most 5 chats per agent unless told otherwise", () => {
    expect(loadConfig({})).toMatchObject({ ROUTING: "manual", MAX_CHATS_PER_AGENT: 5 });
    expect(loadConfig({ ROUTING: "auto", MAX_CHATS_PER_AGENT: "12" })).toMatchObject({
      ROUTING: "auto",
      MAX_CHATS_PER_AGENT: 12,
    });
    expect(configError({ ROUTING: "round-robin" })).toMatch(/ROUTING/);
    expect(configError({ MAX_CHATS_PER_AGENT: "0" })).toMatch(/MAX_CHATS_PER_AGENT/);
    expect(configError({ MAX_CHATS_PER_AGENT: "lima" })).toMatch(/MAX_CHATS_PER_AGENT/);
  });

  it("treats empty variables as unset", () => {
    expect(loadConfig({ PORT: "", DATABASE_URL: "", TRUST_PROXY: "" })).toMatchObject({
      PORT: 8080,
      databaseUrl: null,
      trustProxy: undefined,
    });
  });

  it("METRICS_PORT: a port of its own, never the public one", () => {
    expect(loadConfig({ METRICS_PORT: "9464" }).METRICS_PORT).toBe(9464);
    expect(loadConfig({}).METRICS_PORT).toBeUndefined();
    expect(configError({ METRICS_PORT: "8080" })).toMatch(/METRICS_PORT: must differ from PORT/);
    expect(configError({ PORT: "3000", METRICS_PORT: "3000" })).toMatch(/METRICS_PORT/);
    expect(configError({ METRICS_PORT: "metrics" })).toMatch(/METRICS_PORT: must be a whole number/);
    expect(configError({ METRICS_PORT: "70000" })).toMatch(/METRICS_PORT/);
  });

  it("reads PORT as a number", () => {
    expect(loadConfig({ PORT: "3000" }).PORT).toBe(3000);
  });

  it("uses DATABASE_URL", () => {
    const url = "postgres://app:secret@db.internal:5433/livechat";
    expect(loadConfig({ DATABASE_URL: url }).databaseUrl).toBe(url);
    expect(loadConfig({ DATABASE_URL: "postgresql://db/livechat" }).databaseUrl).toBe(
      "postgresql://db/livechat",
    );
  });

  it("prefers DATABASE_URL over the DB_* variables", () => {
    const url = "postgres://app@db.internal/livechat";
    expect(loadConfig({ DATABASE_URL: url, DB_HOST: "other" }).databaseUrl).toBe(url);
  });

  it("rejects a DATABASE_URL that is not Postgres, naming it", () => {
    expect(configError({ DATABASE_URL: "mysql://db/livechat" })).toMatch(/DATABASE_URL/);
  });

  it("builds the URL from DB_HOST, DB_PORT, DB_NAME, DB_USER and DB_PASSWORD, encoding the credentials", () => {
    const config = loadConfig({
      DB_HOST: "db.internal",
      DB_PORT: "6543",
      DB_NAME: "livechat_oss",
      DB_USER: "app user",
      DB_PASSWORD: "p@ss:w/rd#1",
    });
    expect(config.databaseUrl).toBe(
      "postgres://app%20user:p%40ss%3Aw%2Frd%231@db.internal:6543/livechat_oss",
    );
    expect(new URL(config.databaseUrl as string).password).toBe("p%40ss%3Aw%2Frd%231");
  });

  it("builds the URL with the seed's defaults and no password when only DB_HOST is set", () => {
    expect(loadConfig({ DB_HOST: "localhost" }).databaseUrl).toBe(
      "postgres://postgres@localhost:5432/livechat_oss",
    );
  });

  it.each(["abc", "70000", "-1", "80.5"])("rejects PORT=%s with a ConfigError naming PORT", (port) => {
    expect(configError({ PORT: port })).toMatch(/\bPORT\b/);
  });

  it("rejects an invalid DB_PORT naming DB_PORT", () => {
    expect(configError({ DB_HOST: "db", DB_PORT: "0" })).toMatch(/DB_PORT/);
  });

  it("requires KAFKA_BROKERS when BUS=kafka", () => {
    expect(configError({ BUS: "kafka" })).toMatch(/KAFKA_BROKERS/);
    expect(loadConfig({ BUS: "kafka", KAFKA_BROKERS: "localhost:9092" }).KAFKA_BROKERS).toBe(
      "localhost:9092",
    );
  });

  it("requires EVENTSTORE_URL when EVENT_STORE=eventstoredb", () => {
    expect(configError({ EVENT_STORE: "eventstoredb" })).toMatch(/EVENTSTORE_URL/);
    const url = "esdb://localhost:2113?tls=false";
    expect(loadConfig({ EVENT_STORE: "eventstoredb", EVENTSTORE_URL: url }).EVENTSTORE_URL).toBe(url);
  });

  it("rejects an EVENTSTORE_URL that is not esdb://, naming it", () => {
    expect(configError({ EVENT_STORE: "eventstoredb", EVENTSTORE_URL: "http://localhost:2113" })).toMatch(
      /EVENTSTORE_URL/,
    );
  });

  it.each([
    ["BUS", "rabbit"],
    ["EVENT_STORE", "mongo"],
    ["LOG_LEVEL", "verbose"],
    ["ENSURE_DATABASE", "yes"],
  ])("rejects %s=%s naming it", (name, value) => {
    expect(configError({ [name]: value })).toMatch(new RegExp(name));
  });

  it("names every invalid variable at once", () => {
    const message = configError({ PORT: "x", LOG_LEVEL: "loud" });
    expect(message).toMatch(/PORT/);
    expect(message).toMatch(/LOG_LEVEL/);
  });

  it.each([
    [undefined, undefined],
    ["false", undefined],
    ["true", true],
    ["1", 1],
    ["2", 2],
    ["loopback", ["loopback"]],
    ["loopback, 10.0.0.0/8 ,uniquelocal", ["loopback", "10.0.0.0/8", "uniquelocal"]],
  ])("parses TRUST_PROXY=%j as %j", (value, trustProxy) => {
    expect(loadConfig(value === undefined ? {} : { TRUST_PROXY: value }).trustProxy).toEqual(trustProxy);
  });

  it("parses ENSURE_DATABASE as a boolean", () => {
    expect(loadConfig({ ENSURE_DATABASE: "false" }).ENSURE_DATABASE).toBe(false);
    expect(loadConfig({ ENSURE_DATABASE: "0" }).ENSURE_DATABASE).toBe(false);
    expect(loadConfig({ ENSURE_DATABASE: "1" }).ENSURE_DATABASE).toBe(true);
  });

  // Number(" ") is 0: a blank PORT must fail at start rather than silently mean "any free port".
  it("rejects a whitespace-only, hexadecimal or exponent PORT naming PORT", () => {
    expect(configError({ PORT: " " })).toMatch(/PORT/);
    expect(configError({ PORT: "0x50" })).toMatch(/PORT/);
    expect(configError({ PORT: "1e3" })).toMatch(/PORT/);
  });

  it("puts an IPv6 DB_HOST in brackets", () => {
    expect(loadConfig({ DB_HOST: "::1" }).databaseUrl).toBe("postgres://postgres@[::1]:5432/livechat_oss");
  });

  it("reads TRUST_PROXY=FALSE or no as off", () => {
    expect(loadConfig({ TRUST_PROXY: "FALSE" }).trustProxy).toBeUndefined();
    expect(loadConfig({ TRUST_PROXY: "no" }).trustProxy).toBeUndefined();
  });
});

describe("identity, CORS and rate-limit settings", () => {
  it("has no identity key, no CORS origins and generous limits by default", () => {
    expect(loadConfig({})).toMatchObject({
      identityKey: null,
      corsOrigins: [],
      RATE_LIMIT_WINDOW_MS: 60_000,
      RATE_LIMIT_PER_IP: 60_000,
      RATE_LIMIT_PER_IDENTITY: 12_000,
    });
  });

  it("reads OSS_IDENTITY_SECRET, issuer and audience", () => {
    const c = loadConfig({
      OSS_IDENTITY_SECRET: "s".repeat(32),
      OSS_IDENTITY_ISSUER: "https://oss.go.id",
      OSS_IDENTITY_AUDIENCE: "livechat",
    });
    expect(c.identityKey).toMatchObject({
      kind: "secret",
      issuer: "https://oss.go.id",
      audience: "livechat",
    });
  });

  it.each([
    [{ OSS_IDENTITY_SECRET: "short" }, "OSS_IDENTITY_SECRET"],
    [{ OSS_IDENTITY_PUBLIC_KEY: "not a pem" }, "OSS_IDENTITY_PUBLIC_KEY"],
    [{ OSS_IDENTITY_JWKS_URL: "ftp://x" }, "OSS_IDENTITY_JWKS_URL"],
    [
      { OSS_IDENTITY_SECRET: "s".repeat(32), OSS_IDENTITY_JWKS_URL: "https://oss.go.id/jwks" },
      "OSS_IDENTITY_SECRET",
    ],
    [{ CORS_ORIGINS: "oss.go.id" }, "CORS_ORIGINS"],
    [{ REDIS_URL: "http://localhost" }, "REDIS_URL"],
    [{ RATE_LIMIT_PER_IP: "-1" }, "RATE_LIMIT_PER_IP"],
    [{ RATE_LIMIT_PER_IDENTITY: "many" }, "RATE_LIMIT_PER_IDENTITY"],
    [{ RATE_LIMIT_WINDOW_MS: "10" }, "RATE_LIMIT_WINDOW_MS"],
  ])("rejects %j naming %s", (env, variable) => {
    expect(configError(env)).toContain(variable);
  });

  it("reads a list of CORS origins, or *", () => {
    expect(loadConfig({ CORS_ORIGINS: "https://oss.go.id, http://localhost:3000" }).corsOrigins).toEqual([
      "https://oss.go.id",
      "http://localhost:3000",
    ]);
    expect(loadConfig({ CORS_ORIGINS: "*" }).corsOrigins).toBe("*");
  });
});
