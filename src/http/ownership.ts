import { type StaffAction, staffMay, staffRoleAllows } from "../auth/access";
import type { OssIdentity } from "../auth/identityTokens";
import type { SessionAccess } from "../commands/sessionAccess";
import type { Participant } from "../domain/chatSession/conversation";
import type { Actor } from "../events/metadata";
import type { SessionReader } from "../queries/readerAccess";
import { ForbiddenError, UnauthorizedError } from "./errors";
import type { Caller } from "./identityAuth";

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** A verified token speaks for the body's missing `oss_user_id` and `email`; given ones are checked later. */
export function withTokenIdentity(body: unknown, ossUser: OssIdentity | null): unknown {
  if (ossUser === null || !isPlainObject(body)) return body;
  const filled: Record<string, unknown> = { ...body };
  if (!Object.hasOwn(body, "oss_user_id")) filled.oss_user_id = ossUser.ossUserId;
  if (!Object.hasOwn(body, "email")) filled.email = ossUser.email;
  return filled;
}

/** The verified OSS user a logged-in call needs, matching what the request names: else 401 or 403. */
export function requireOssUser(
  caller: Caller,
  identityConfigured: boolean,
  named: { readonly oss_user_id?: string | undefined; readonly email?: string | undefined },
): OssIdentity {
  if (!identityConfigured) throw new UnauthorizedError("identity_not_configured");
  const user = caller.ossUser;
  if (user === null) {
    throw new UnauthorizedError("identity_token_required");
  }
  if (named.oss_user_id !== undefined && named.oss_user_id !== user.ossUserId) {
    throw new ForbiddenError("oss_user_mismatch");
  }
  if (named.email !== undefined && named.email.toLowerCase() !== user.email.toLowerCase()) {
    throw new ForbiddenError("email_mismatch");
  }
  return user;
}

/** True for staff whose role allows the action; staff with another role are refused outright (403). */
export function staffAllowed(caller: Caller, action: StaffAction): boolean {
  if (caller.staff === null) return false;
  if (staffRoleAllows(caller.staff.role, action)) return true;
  throw new ForbiddenError("staff_role_required", { roles: staffMay[action].join(" / ") });
}

/** The actor of a call on one session: staff allowed to, a verified OSS user, or a browser; else 401. */
export function requireBrowserOrUser(caller: Caller, anySession: boolean): Actor {
  if (anySession && caller.staff !== null) return { kind: "staff", id: caller.staff.id };
  if (caller.ossUser !== null) return { kind: "oss_user", id: caller.ossUser.ossUserId };
  if (caller.browserUuid !== null) return { kind: "anonymous", id: caller.browserUuid };
  throw new UnauthorizedError("caller_required");
}

/** An anonymous history is the browser's own: the X-Browser-UUID header must name it. */
export function requireBrowser(caller: Caller, browserUuid: string): void {
  if (caller.browserUuid === null) {
    throw new UnauthorizedError("browser_header_required");
  }
  if (caller.browserUuid !== browserUuid) {
    throw new ForbiddenError("browser_mismatch");
  }
}

/** A history query that names no one reads the caller's own: the token's user, else the header's browser. */
export function historyIdentity(query: unknown, caller: Caller, anySession: boolean): unknown {
  if (anySession || !isPlainObject(query)) return query;
  if (Object.hasOwn(query, "oss_user_id") || Object.hasOwn(query, "browser_uuid")) return query;
  if (caller.ossUser !== null) return { ...query, oss_user_id: caller.ossUser.ossUserId };
  if (caller.browserUuid !== null) return { ...query, browser_uuid: caller.browserUuid };
  return query;
}

/** A visitor acting in a conversation: a verified OSS user or a browser; staff use the agent routes (403). */
export function requireVisitor(caller: Caller): Participant & { readonly kind: "visitor" } {
  if (caller.staff !== null) {
    throw new ForbiddenError("staff_not_visitor");
  }
  const actor = requireBrowserOrUser(caller, false);
  return { kind: "visitor", id: actor.id, name: null };
}

/** Who reads a session: staff allowed to read any, else the caller's browser and OSS user. */
export function sessionReader(caller: Caller, anySession: boolean): SessionReader {
  if (anySession) return { anySession: true };
  return { anySession: false, browserUuid: caller.browserUuid, ossUserId: caller.ossUser?.ossUserId ?? null };
}

/** A visitor's access to sessions: the ones its browser or OSS user owns (the commands check, see sessionOwnership). */
export function visitorAccess(caller: Caller): SessionAccess {
  return { anySession: false, browserUuid: caller.browserUuid, ossUserId: caller.ossUser?.ossUserId ?? null };
}
