import type { NextFunction, Request, RequestHandler, Response } from "express";
import { MemoryStore } from "express-rate-limit";
import { ipKey, limitsOn, type RateLimitSettings } from "../../src/http/rateLimits";
import { fixedWindowCounter } from "../../src/http/rateLimitWindows";

describe("fixed-window counter", () => {
  test("counts hits per key, and a key's window restarts at its first hit after the window ended", () => {
    const counter = fixedWindowCounter(1000);
    try {
      expect(counter.hit("a", 10_000)).toEqual({ hits: 1, resetAt: 11_000 });
      expect(counter.hit("a", 10_500)).toEqual({ hits: 2, resetAt: 11_000 });
      expect(counter.hit("b", 10_600)).toEqual({ hits: 1, resetAt: 11_600 });
      expect(counter.hit("a", 10_999)).toEqual({ hits: 3, resetAt: 11_000 });
      // Over the limit still counts: the window does not move while a client keeps asking.
      expect(counter.hit("a", 11_000)).toEqual({ hits: 1, resetAt: 12_000 });
      expect(counter.hit("b", 11_100)).toEqual({ hits: 2, resetAt: 11_600 });
      // After a pause the new window starts at the hit, not where the old one would have gone on.
      expect(counter.hit("b", 13_000)).toEqual({ hits: 1, resetAt: 14_000 });
    } finally {
      counter.close();
    }
  });

  test("a sweep forgets only the keys whose window has ended", () => {
    const counter = fixedWindowCounter(1000);
    try {
      counter.hit("old", 0);
      counter.hit("new", 600);
      counter.sweep(1000);
      expect(counter.size).toBe(1);
      expect(counter.hit("new", 1000)).toEqual({ hits: 2, resetAt: 1600 });
      expect(counter.hit("old", 1000)).toEqual({ hits: 1, resetAt: 2000 });
    } finally {
      counter.close();
    }
  });

  test("sweeps on its own once a window, on a timer that does not hold the process", () => {
    jest.useFakeTimers({ now: 0 });
    try {
      const counter = fixedWindowCounter(1000);
      counter.hit("a", Date.now());
      jest.advanceTimersByTime(999);
      expect(counter.size).toBe(1);
      jest.advanceTimersByTime(1);
      expect(counter.size).toBe(0);
      counter.close();
    } finally {
      jest.useRealTimers();
    }
  });
});

interface Answer {
  readonly passed: boolean;
  readonly status?: number;
  readonly body?: unknown;
  readonly headers: Record<string, string>;
}

/** Runs a limiter on a request and records what it answered: passed on (next), or a status and body. */
function run(limiter: RequestHandler, req: Partial<Request>, locals: Record<string, unknown> = {}) {
  return new Promise<Answer>((resolve, reject) => {
    const headers: Record<string, string> = {};
    let status: number | undefined;
    const res = {
      headersSent: false,
      writableEnded: false,
      locals: { language: "en", ...locals },
      setHeader: (name: string, value: string) => {
        headers[name.toLowerCase()] = String(value);
      },
      set: (name: string, value: string) => res.setHeader(name, value),
      status: (code: number) => {
        status = code;
        return res;
      },
      json: (body: unknown) => resolve({ passed: false, status, body, headers }),
    };
    const next = ((err?: unknown) =>
      err ? reject(err) : resolve({ passed: true, headers })) as NextFunction;
    Promise.resolve(limiter({ body: undefined, ...req } as Request, res as unknown as Response, next)).catch(
      reject,
    );
  });
}

describe("rate limits in memory answer as express-rate-limit on its memory store", () => {
  const settings: RateLimitSettings = { windowMs: 4500, perIp: 3, perIdentity: 2 };
  const browser = "0b7e4b62-6a8e-4f0e-9c1a-2f7d3c1e5a90";
  // Requests over two windows: two addresses, IPv6 ones in one /56, identities from a key, a header, a body.
  const requests: { at: number; ip: string; locals?: Record<string, unknown>; body?: unknown }[] = [
    { at: 0, ip: "10.0.0.1", body: { browser_uuid: browser.toUpperCase() } },
    { at: 100, ip: "10.0.0.1", locals: { browserUuid: browser } },
    { at: 200, ip: "10.0.0.2", locals: { staff: { id: "k1" } } },
    { at: 1300, ip: "10.0.0.1", locals: { browserUuid: browser } },
    { at: 1400, ip: "10.0.0.1" },
    { at: 1500, ip: "2001:db8:1:100::1", locals: { ossUser: { ossUserId: "u1" } } },
    { at: 1600, ip: "2001:db8:1:1ff::2", locals: { staff: { id: "k1" } } },
    { at: 1700, ip: "2001:db8:1:1aa::3" },
    { at: 1800, ip: "::ffff:10.0.0.2", locals: { staff: { id: "k1" } } },
    { at: 2900, ip: "2001:db8:1:100::9" },
    { at: 4499, ip: "10.0.0.1", locals: { browserUuid: browser } },
    { at: 4500, ip: "10.0.0.1", locals: { browserUuid: browser } },
    { at: 5000, ip: "10.0.0.1", body: { browser_uuid: browser } },
    { at: 6100, ip: "2001:db8:1:100::1" },
    { at: 9100, ip: "10.0.0.1", locals: { browserUuid: browser } },
    { at: 16_000, ip: "10.0.0.2", locals: { staff: { id: "k1" } } },
  ];

  async function answers(limits: { perIp: RequestHandler; perIdentity: RequestHandler }) {
    const seen = [];
    for (const r of requests) {
      jest.setSystemTime(1_000_000 + r.at);
      const req = { ip: r.ip, body: r.body, headers: {} };
      const byIp = await run(limits.perIp, req, r.locals);
      const byIdentity = byIp.passed ? await run(limits.perIdentity, req, r.locals) : undefined;
      seen.push({ at: r.at, byIp, byIdentity });
    }
    return seen;
  }

  test("the same passes, 429s, bodies, Retry-After and RateLimit headers, request by request", async () => {
    jest.useFakeTimers({ doNotFake: ["nextTick", "queueMicrotask", "setImmediate"] });
    try {
      const reference = await answers(limitsOn(settings, () => new MemoryStore()));
      const inMemory = await answers(limitsOn(settings, null));
      expect(inMemory).toEqual(reference);
      // The sequence does reach both limits, and both recover.
      const ip = reference.map((a) => a.byIp.status ?? 200);
      expect(ip).toContain(429);
      expect(reference.some((a) => a.byIdentity?.status === 429)).toBe(true);
      expect(reference.at(-2)?.byIdentity?.passed).toBe(true);
      expect(inMemory[4]?.byIp).toEqual({
        passed: false,
        status: 429,
        body: { error: expect.any(String), code: "rate_limited_ip" },
        headers: {
          "ratelimit-policy": "3;w=5",
          ratelimit: "limit=3, remaining=0, reset=4",
          "retry-after": "4",
        },
      });
    } finally {
      jest.useRealTimers();
    }
  });

  test("IPv6 clients count by their /56, a mapped IPv4 address as that address", () => {
    const key = (ip: string) => ipKey({ ip } as Request);
    expect(key("2001:db8:1:100::1")).toBe(key("2001:db8:1:1ff::2"));
    expect(key("2001:db8:1:200::1")).not.toBe(key("2001:db8:1:100::1"));
    expect(key("::ffff:10.0.0.2")).toBe("10.0.0.2");
    expect(key("10.0.0.2")).toBe("10.0.0.2");
  });
});
