import type { Request, RequestHandler, Response } from "express";
import { ipKeyGenerator, type RateLimitInfo, rateLimit, type Store } from "express-rate-limit";
import type { Redis } from "ioredis";
import { type RedisReply, RedisStore } from "rate-limit-redis";
import { sendError } from "./errors";
import { fixedWindowCounter } from "./rateLimitWindows";

export interface RateLimitSettings {
  readonly windowMs: number;
  /** Requests per window from one client IP; 0 turns the limit off. */
  readonly perIp: number;
  /** Requests per window for one identity (staff key, OSS user, browser); 0 turns the limit off. */
  readonly perIdentity: number;
  /** Prefix of the counters' keys in Redis. */
  readonly redisPrefix?: string;
}

/** Who a request counts against: its verified staff key or OSS user, else the browser it names. */
export function identityKey(req: Request, res: Response): string | undefined {
  const staff = res.locals.staff as { id: string } | undefined;
  if (staff) return `staff:${staff.id}`;
  const ossUser = res.locals.ossUser as { ossUserId: string } | undefined;
  if (ossUser) return `oss:${ossUser.ossUserId}`;
  const header = res.locals.browserUuid as string | undefined;
  if (header) return `browser:${header}`;
  const body = req.body as { browser_uuid?: unknown } | undefined;
  const named = typeof body === "object" && body !== null ? body.browser_uuid : undefined;
  if (typeof named === "string" && /^[0-9a-f-]{36}$/i.test(named)) return `browser:${named.toLowerCase()}`;
  return undefined;
}

/** The client's address as express-rate-limit keys it: IPv4 as is, IPv6 by its /56 (a mapped IPv4 as IPv4). */
export function ipKey(req: Request): string {
  return ipKeyGenerator(req.ip ?? "", 56);
}

type Scope = "rate_limited_ip" | "rate_limited_identity";

/** Where the counters live: a store per limiter (Redis, shared by API instances), or null for this process. */
export type LimitStores = ((prefix: string) => Store) | null;

function redisStore(redis: Redis, prefix: string): Store {
  return new RedisStore({
    prefix,
    sendCommand: (command: string, ...args: string[]) => redis.call(command, ...args) as Promise<RedisReply>,
  });
}

/** The 429: `Retry-After` in whole seconds until the window ends (at least 1), and the scope's message. */
function refuse(req: Request, res: Response, scope: Scope, seconds: number): void {
  res.set("Retry-After", String(seconds));
  sendError(req, res, 429, scope, { seconds });
}

const secondsUntil = (at: number, now: number) => Math.max(1, Math.ceil((at - now) / 1000));

/** express-rate-limit on a shared store: its promises are the store's round trips anyway. */
function storeLimiter(
  settings: RateLimitSettings,
  limit: number,
  scope: Scope,
  store: Store,
  key?: (req: Request, res: Response) => string | undefined,
): RequestHandler {
  return rateLimit({
    windowMs: settings.windowMs,
    limit,
    standardHeaders: "draft-7",
    legacyHeaders: false,
    // With a shared store down, chat keeps working unthrottled rather than failing every request.
    passOnStoreError: true,
    store,
    validate: { trustProxy: false, xForwardedForHeader: false },
    ...(key
      ? { keyGenerator: (req, res) => key(req, res) ?? "", skip: (req, res) => key(req, res) === undefined }
      : {}),
    handler: (req, res) => {
      const reset = (req as Request & { rateLimit?: RateLimitInfo }).rateLimit?.resetTime;
      const now = Date.now();
      refuse(req, res, scope, secondsUntil(reset?.getTime() ?? now + settings.windowMs, now));
    },
  });
}

/**
 * The same limit on this process's counters, answered synchronously: the counting, the draft-7 `RateLimit` and
 * `RateLimit-Policy` headers and the 429 of the store limiter above with its default memory store.
 */
function memoryLimiter(
  settings: RateLimitSettings,
  limit: number,
  scope: Scope,
  key: (req: Request, res: Response) => string | undefined,
): RequestHandler {
  const counter = fixedWindowCounter(settings.windowMs);
  const policy = `${limit};w=${Math.ceil(settings.windowMs / 1000)}`;
  return (req, res, next) => {
    const k = key(req, res);
    if (k === undefined) return next();
    const now = Date.now();
    const { hits, resetAt } = counter.hit(k, now);
    if (!res.headersSent) {
      res.setHeader("RateLimit-Policy", policy);
      const reset = Math.max(0, Math.ceil((resetAt - now) / 1000));
      res.setHeader("RateLimit", `limit=${limit}, remaining=${Math.max(limit - hits, 0)}, reset=${reset}`);
    }
    if (hits > limit) return refuse(req, res, scope, secondsUntil(resetAt, now));
    next();
  };
}

const pass: RequestHandler = (_req, _res, next) => next();

/** Rate limits per client IP (before the body is read) and per identity (after credentials are checked). */
export function rateLimits(settings: RateLimitSettings, redis: Redis | null) {
  return limitsOn(settings, redis ? (prefix) => redisStore(redis, prefix) : null);
}

/** The two limiters on the given stores, or on this process's memory. */
export function limitsOn(settings: RateLimitSettings, stores: LimitStores) {
  const { perIp, perIdentity } = settings;
  if (stores === null)
    return {
      perIp: perIp > 0 ? memoryLimiter(settings, perIp, "rate_limited_ip", ipKey) : pass,
      perIdentity:
        perIdentity > 0 ? memoryLimiter(settings, perIdentity, "rate_limited_identity", identityKey) : pass,
    };
  const prefix = settings.redisPrefix ?? "livechat:rl:";
  return {
    // express-rate-limit keys the IP itself (as `ipKey` does), and logs what is wrong with a `req.ip`.
    perIp: perIp > 0 ? storeLimiter(settings, perIp, "rate_limited_ip", stores(`${prefix}ip:`)) : pass,
    perIdentity:
      perIdentity > 0
        ? storeLimiter(settings, perIdentity, "rate_limited_identity", stores(`${prefix}id:`), identityKey)
        : pass,
  };
}
