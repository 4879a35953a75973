import type { RequestHandler, Response } from "express";
import { IdentityTokenError, type IdentityVerifier, type OssIdentity } from "../auth/identityTokens";
import { STAFF_KEY_PREFIX, type StaffMember } from "../auth/staffKeys";
import { uuidField } from "../commands/fields";
import { sendError, ValidationError } from "./errors";

/** Who a request proves to be: a staff key, an OSS identity token, and/or an anonymous browser. */
export interface Caller {
  readonly staff: StaffMember | null;
  readonly ossUser: OssIdentity | null;
  /** The X-Browser-UUID header, lower-cased, or null. */
  readonly browserUuid: string | null;
}

/**
 * Verifies a bearer credential that is not a staff key as the OSS portal's identity token, and reads the
 * X-Browser-UUID header. A credential that is sent but proves nothing is a 401 here, whatever the endpoint.
 */
export function authenticateOssUser(verifier: IdentityVerifier | null): RequestHandler {
  const browserHeader: RequestHandler = (req, res, next) => {
    const browser = req.get("x-browser-uuid");
    if (browser !== undefined) {
      const parsed = uuidField.safeParse(browser);
      if (!parsed.success) {
        next(new ValidationError([{ field: "X-Browser-UUID", code: "field_uuid" }]));
        return;
      }
      res.locals.browserUuid = parsed.data;
    }
    next();
  };
  const verifyToken = async (
    req: Parameters<RequestHandler>[0],
    res: Parameters<RequestHandler>[1],
    next: Parameters<RequestHandler>[2],
    credential: string,
  ) => {
    if (verifier === null) {
      sendError(req, res, 401, "identity_not_configured");
      return;
    }
    try {
      const ossUser = await verifier.verify(credential);
      res.locals.ossUser = ossUser;
      res.locals.actor = { kind: "oss_user", id: ossUser.ossUserId };
    } catch (err) {
      if (!(err instanceof IdentityTokenError)) throw err;
      res.set("WWW-Authenticate", 'Bearer error="invalid_token"');
      sendError(req, res, 401, err.code, err.claim === undefined ? undefined : { claim: err.claim });
      return;
    }
    browserHeader(req, res, next);
  };
  // Synchronous unless there is a token to verify: an async middleware costs every request a promise.
  return (req, res, next) => {
    const header = req.get("authorization");
    if (header === undefined) return browserHeader(req, res, next);
    const credential = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
    if (credential === undefined) {
      res.set("WWW-Authenticate", "Bearer");
      sendError(req, res, 401, "authorization_not_bearer");
      return;
    }
    if (credential.startsWith(STAFF_KEY_PREFIX)) return browserHeader(req, res, next);
    return verifyToken(req, res, next, credential);
  };
}

export function callerOf(res: Response): Caller {
  return {
    staff: (res.locals.staff as StaffMember | undefined) ?? null,
    ossUser: (res.locals.ossUser as OssIdentity | undefined) ?? null,
    browserUuid: (res.locals.browserUuid as string | undefined) ?? null,
  };
}
