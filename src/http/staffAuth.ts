import type { RequestHandler } from "express";
import type { Knex } from "knex";
import type { KeyUsageRecorder } from "../auth/keyUsage";
import { STAFF_KEY_PREFIX, type StaffMember, type StaffRole, verifyStaffKey } from "../auth/staffKeys";
import { sendError } from "./errors";

/**
 * Sets `res.locals.staff` when the request carries a valid staff key as its bearer credential, and tells
 * `usage` (which records it in the background) that the key was used.
 */
export function authenticateStaff(knex: Knex, usage?: KeyUsageRecorder): RequestHandler {
  const verify: RequestHandler = async (req, res, next) => {
    const credential = bearer(req.get("authorization"));
    const staff = await verifyStaffKey(knex, credential as string);
    if (!staff) {
      sendError(req, res, 401, "staff_key_invalid");
      return;
    }
    usage?.record(staff.id);
    res.locals.staff = staff;
    res.locals.actor = { kind: "staff", id: staff.id };
    next();
  };
  // Synchronous unless there is a staff key to look up: an async middleware costs every request a promise.
  return (req, res, next) =>
    bearer(req.get("authorization"))?.startsWith(STAFF_KEY_PREFIX) ? verify(req, res, next) : next();
}

const bearer = (header: string | undefined) =>
  header === undefined ? undefined : /^Bearer\s+(\S+)$/i.exec(header)?.[1];

export function staffOf(locals: Record<string, unknown>): StaffMember | null {
  return (locals.staff as StaffMember | undefined) ?? null;
}

/** Lets the request through only for staff with one of the roles: 401 without a staff key, 403 with another role. */
export function requireStaffRole(...roles: StaffRole[]): RequestHandler {
  return (req, res, next) => {
    const staff = staffOf(res.locals);
    if (!staff) {
      sendError(req, res, 401, "staff_key_required");
      return;
    }
    if (!roles.includes(staff.role)) {
      sendError(req, res, 403, "staff_role_required", { roles: roles.join(" / ") });
      return;
    }
    next();
  };
}

/**
 * The paths only staff of some roles may call, as the routers guard them. The app checks them again before
 * idempotency keys are looked at, so a caller without the role is told 401/403, never 422 about a key.
 */
export const STAFF_AREAS: readonly (readonly [prefix: string, roles: readonly StaffRole[]])[] = [
  // Supervisors use the agent workspace (src/http/workspaceRoutes.ts); agentRoutes' own guard keeps the
  // conversation routes to agents.
  ["/api/agent", ["agent", "supervisor"]],
  ["/api/audit", ["auditor"]],
  ["/api/admin/data-subjects", ["privacy"]],
  ["/api/admin/webhooks", ["ops"]],
  ["/api/admin/projections", ["ops"]],
];

/** requireStaffRole for each of `areas` (paths match as express matches them: case-insensitive). */
export function requireStaffAreas(areas = STAFF_AREAS): RequestHandler {
  const guards = areas.map(([prefix, roles]) => [prefix, requireStaffRole(...roles)] as const);
  return (req, res, next) => {
    const path = req.path.toLowerCase();
    const area = guards.find(([prefix]) => path === prefix || path.startsWith(`${prefix}/`));
    return area ? area[1](req, res, next) : next();
  };
}
