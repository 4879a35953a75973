import { randomUUID } from "node:crypto";
import type { Request, Response } from "express";
import type { ZodType } from "zod";
import type { Actor, RequestContext } from "../events/metadata";
import { ValidationError } from "./errors";

/** Validates part of a request into a typed input, or throws a ValidationError naming the fields. */
export function parse<T>(schema: ZodType<T>, value: unknown): T {
  // The input is reported so a missing field reads "is required" rather than "must be a string".
  const parsed = schema.safeParse(value ?? {}, { reportInput: true });
  if (!parsed.success) throw ValidationError.fromZod(parsed.error);
  return parsed.data;
}

export function clientIp(req: Request): string {
  const ip = req.ip ?? req.socket.remoteAddress ?? "unknown";
  return (ip.startsWith("::ffff:") ? ip.slice(7) : ip).slice(0, 45);
}

/**
 * Who is calling. An authentication middleware may set `res.locals.actor` from verified credentials; until
 * then the actor is what the request names.
 */
export function requestContext(
  req: Request,
  res: Response,
  claimed: Actor,
  userAgent?: string,
): RequestContext {
  const actor = (res.locals.actor as Actor | undefined) ?? claimed;
  return {
    actor,
    ip: clientIp(req),
    userAgent: userAgent ?? req.get("user-agent") ?? null,
    correlationId: String(res.locals.correlationId ?? randomUUID()),
    now: () => new Date(),
  };
}
