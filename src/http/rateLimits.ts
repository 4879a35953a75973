import type { Request, RequestHandler, Response } from "express";
import { type RateLimitInfo, rateLimit, type Store } from "express-rate-limit";
import type { Redis } from "ioredis";
import { type RedisReply, RedisStore } from "rate-limit-redis";
import { sendError } from "./errors";

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

function redisStore(redis: Redis, prefix: string): Store {
  return new RedisStore({
    prefix,
    sendCommand: (command: string, ...args: string[]) => redis.call(command, ...args) as Promise<RedisReply>,
  });
}

function limiter(
  settings: RateLimitSettings,
  limit: number,
  scope: "rate_limited_ip" | "rate_limited_identity",
  store: Store | undefined,
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
      const seconds = Math.max(
        1,
        Math.ceil(((reset?.getTime() ?? Date.now() + settings.windowMs) - Date.now()) / 1000),
      );
      res.set("Retry-After", String(seconds));
      sendError(req, res, 429, scope, { seconds });
    },
  });
}

const pass: RequestHandler = (_req, _res, next) => next();

/** Rate limits per client IP (before the body is read) and per identity (after credentials are checked). */
export function rateLimits(settings: RateLimitSettings, redis: Redis | null) {
  const store = (prefix: string) => (redis ? redisStore(redis, prefix) : undefined);
  return {
    perIp:
      settings.perIp > 0
        ? limiter(
            settings,
            settings.perIp,
            "rate_limited_ip",
            store(`${settings.redisPrefix ?? "livechat:rl:"}ip:`),
          )
        : pass,
    perIdentity:
      settings.perIdentity > 0
        ? limiter(
            settings,
            settings.perIdentity,
            "rate_limited_identity",
            store(`${settings.redisPrefix ?? "livechat:rl:"}id:`),
            identityKey,
          )
        : pass,
  };
}
