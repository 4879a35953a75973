import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { asBrowser } from "../support/identity";
import { createTestDatabase } from "../support/testDatabase";
import { startTestService } from "../support/testService";

const start = (browser = randomUUID()) => ({ browser_uuid: browser, topic: "Batas" });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
// Windows of seconds: the requests that fill one must all land in it, even on a loaded machine.

function expectThrottled(res: { status: number; body: any; headers: Headers }) {
  expect(res.status).toBe(429);
  expect(typeof res.body.error).toBe("string");
  expect(Number(res.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
}

describe("rate limits", () => {
  test("per IP: the request over the limit gets 429 with Retry-After, and the limit recovers after the window", async () => {
    const svc = await startTestService({ RATE_LIMIT_PER_IP: "5", RATE_LIMIT_WINDOW_MS: "6000" });
    try {
      for (let i = 0; i < 5; i++) expect((await svc.post("/api/oss-chat/start", start())).status).toBe(201);
      const over = await svc.post("/api/oss-chat/start", start());
      expectThrottled(over);
      expect(over.body.code).toBe("rate_limited_ip");
      expectThrottled(await svc.get(`/api/oss-chat/history?browser_uuid=${randomUUID()}`));
      expect((await svc.get("/healthz")).status).toBe(200); // probes are not limited
      await sleep(6300);
      expect((await svc.post("/api/oss-chat/start", start())).status).toBe(201);
    } finally {
      await svc.stop();
    }
  });

  test("per identity: one browser is throttled while another from the same address is not", async () => {
    const svc = await startTestService({ RATE_LIMIT_PER_IDENTITY: "3", RATE_LIMIT_WINDOW_MS: "6000" });
    try {
      const browser = randomUUID();
      for (let i = 0; i < 3; i++)
        expect((await svc.post("/api/oss-chat/start", start(browser))).status).toBe(201);
      const over = await svc.post("/api/oss-chat/start", start(browser));
      expectThrottled(over);
      expect(over.body.code).toBe("rate_limited_identity");
      // The header counts against the same browser as the body.
      expectThrottled(await svc.get("/api/oss-chat/history", asBrowser(browser)));
      expect((await svc.post("/api/oss-chat/start", start())).status).toBe(201);
      await sleep(6300);
      expect((await svc.post("/api/oss-chat/start", start(browser))).status).toBe(201);
    } finally {
      await svc.stop();
    }
  });

  test("with REDIS_URL the counters are shared by API instances", async () => {
    const prefix = `lc-test-${randomUUID()}:`;
    const env = {
      REDIS_URL: "redis://127.0.0.1:6379",
      RATE_LIMIT_REDIS_PREFIX: prefix,
      RATE_LIMIT_PER_IP: "4",
      RATE_LIMIT_WINDOW_MS: "5000",
    };
    const a = await startTestService(env);
    const b = await startTestService(env, undefined, a.db);
    const redis = new Redis("redis://127.0.0.1:6379");
    try {
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await a.post("/api/oss-chat/start", start())).status);
      statuses.push((await b.post("/api/oss-chat/start", start())).status);
      expect(statuses).toEqual([201, 201, 201, 201]);
      expectThrottled(await b.post("/api/oss-chat/start", start()));
      expectThrottled(await a.post("/api/oss-chat/start", start()));
      expect((await redis.keys(`${prefix}*`)).length).toBeGreaterThan(0);
    } finally {
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
      await b.stop();
      await a.stop();
    }
  });

  test("an unreachable REDIS_URL fails the start naming the variable", async () => {
    const db = await createTestDatabase();
    try {
      await expect(startTestService({ REDIS_URL: "redis://127.0.0.1:1" }, undefined, db)).rejects.toThrow(
        /REDIS_URL/,
      );
    } finally {
      await db.drop();
    }
  });
});

describe("CORS and security headers", () => {
  test("only origins in CORS_ORIGINS are allowed; helmet's headers are set", async () => {
    const svc = await startTestService({ CORS_ORIGINS: "https://oss.go.id" });
    try {
      const pre = await fetch(`${svc.url}/api/oss-chat/start`, {
        method: "OPTIONS",
        headers: {
          origin: "https://oss.go.id",
          "access-control-request-method": "POST",
          "access-control-request-headers": "content-type,authorization,x-browser-uuid",
        },
      });
      expect(pre.headers.get("access-control-allow-origin")).toBe("https://oss.go.id");
      expect(pre.headers.get("access-control-allow-headers")).toMatch(/X-Browser-UUID/i);
      const evil = await fetch(`${svc.url}/healthz`, { headers: { origin: "https://evil.example" } });
      expect(evil.headers.get("access-control-allow-origin")).toBeNull();
      expect(evil.headers.get("x-content-type-options")).toBe("nosniff");
      expect(evil.headers.get("x-powered-by")).toBeNull();
    } finally {
      await svc.stop();
    }
  });
});
