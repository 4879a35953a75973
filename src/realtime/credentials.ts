import { decodeJwt } from "jose";
import type { Knex } from "knex";
import { IdentityTokenError, type IdentityVerifier } from "../auth/identityTokens";
import { verifyStaffKey } from "../auth/staffKeys";
import type { AuthFrame } from "./protocol";

/** Who a socket proved to be with its auth frame. */
export type SocketIdentity =
  | { readonly kind: "browser"; readonly browserUuid: string }
  | {
      readonly kind: "oss_user";
      readonly ossUserId: string;
      /** When the token expires (ms since the epoch): the socket is closed then (4401), as HTTP would refuse it. */
      readonly expiresAt: number | null;
    }
  | { readonly kind: "agent"; readonly id: string; readonly name: string };

export type Endpoint = "visitor" | "agent";

export interface CredentialDeps {
  readonly knex: Knex;
  /** Verifies OSS identity tokens; null when no key is configured (tokens then prove nothing). */
  readonly identity: IdentityVerifier | null;
}

/**
 * Verifies an auth frame's credential the way the HTTP layer does (same token verifier, same staff keys):
 * visitors' sockets take a browser UUID or an OSS token, agents' sockets a staff key with the role agent.
 * Null: the credential proves nothing on this endpoint.
 */
export async function verifyCredential(
  deps: CredentialDeps,
  endpoint: Endpoint,
  frame: AuthFrame,
): Promise<SocketIdentity | null> {
  if (endpoint === "agent") {
    if (!("staff_key" in frame)) return null;
    const staff = await verifyStaffKey(deps.knex, frame.staff_key);
    return staff?.role === "agent" ? { kind: "agent", id: staff.id, name: staff.name } : null;
  }
  if ("browser_uuid" in frame) return { kind: "browser", browserUuid: frame.browser_uuid.toLowerCase() };
  if (!("token" in frame) || deps.identity === null) return null;
  try {
    const user = await deps.identity.verify(frame.token);
    const exp = decodeJwt(frame.token).exp; // read only after the signature was verified
    return { kind: "oss_user", ossUserId: user.ossUserId, expiresAt: exp === undefined ? null : exp * 1000 };
  } catch (err) {
    if (err instanceof IdentityTokenError) return null;
    throw err;
  }
}

/** The key sockets are counted under for the per-credential limit. */
export function credentialKey(identity: SocketIdentity): string {
  switch (identity.kind) {
    case "browser":
      return `browser:${identity.browserUuid}`;
    case "oss_user":
      return `oss:${identity.ossUserId}`;
    case "agent":
      return `agent:${identity.id}`;
    default: {
      const unhandled: never = identity;
      throw new Error(`unhandled identity ${JSON.stringify(unhandled)}`);
    }
  }
}
