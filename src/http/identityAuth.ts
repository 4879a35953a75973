import type { RequestHandler, Response } from "express";
import { IdentityTokenError, type IdentityVerifier, type OssIdentity } from "../auth/identityTokens";
import { STAFF_KEY_PREFIX, type StaffMember } from "../auth/staffKeys";
import { uuidField } from "../commands/fields";
import { ValidationError } from "./errors";

/** Who a request proves to be: a staff key, an OSS identity token, and/or an anonymous browser. */
export interface Caller {
  readonly staff: StaffMember | null;
  readonly ossUser: OssIdentity | null;
  /** The X-Browser-UUID header, lower-cased, or null. */
  readonly browserUuid: string | null;
}

export const NO_IDENTITY_KEY =
  "Logged-in access is not available: no OSS identity key is configured on this server";

/**
 * Verifies a bearer credential that is not a staff key as the OSS portal's identity token, and reads the
 * X-Browser-UUID header. A credential that is sent but proves nothing is a 401 here, whatever the endpoint.
 */
export function authenticateOssUser(verifier: IdentityVerifier | null): RequestHandler {
  return async (req, res, next) => {
    const header = req.get("authorization");
    if (header !== undefined) {
      const credential = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
      if (credential === undefined) {
        res
          .status(401)
          .set("WWW-Authenticate", "Bearer")
          .json({ error: "Authorization must be Bearer <token>" });
        return;
      }
      if (!credential.startsWith(STAFF_KEY_PREFIX)) {
        if (verifier === null) {
          res.status(401).json({ error: NO_IDENTITY_KEY });
          return;
        }
        try {
          const ossUser = await verifier.verify(credential);
          res.locals.ossUser = ossUser;
          res.locals.actor = { kind: "oss_user", id: ossUser.ossUserId };
        } catch (err) {
          if (!(err instanceof IdentityTokenError)) throw err;
          res
            .status(401)
            .set("WWW-Authenticate", 'Bearer error="invalid_token"')
            .json({ error: err.message });
          return;
        }
      }
    }
    const browser = req.get("x-browser-uuid");
    if (browser !== undefined) {
      const parsed = uuidField.safeParse(browser);
      if (!parsed.success) {
        next(new ValidationError([{ field: "X-Browser-UUID", message: "must be a UUID" }]));
        return;
      }
      res.locals.browserUuid = parsed.data;
    }
    next();
  };
}

export function callerOf(res: Response): Caller {
  return {
    staff: (res.locals.staff as StaffMember | undefined) ?? null,
    ossUser: (res.locals.ossUser as OssIdentity | undefined) ?? null,
    browserUuid: (res.locals.browserUuid as string | undefined) ?? null,
  };
}
