import { createRemoteJWKSet, errors, type JWTVerifyGetKey, jwtVerify, type KeyLike, SignJWT } from "jose";
import { emailField, ossUserIdField } from "../commands/fields";
import type { IdentityKeyConfig } from "./identityKeyConfig";

/** A logged-in OSS user, as the portal's signed token says. */
export interface OssIdentity {
  readonly ossUserId: string;
  readonly email: string;
}

/** A token that does not prove an identity; the message says why, without echoing the token. */
export class IdentityTokenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "IdentityTokenError";
  }
}

export interface IdentityVerifier {
  /** The identity a token proves, or an IdentityTokenError. */
  verify(token: string): Promise<OssIdentity>;
}

function reason(err: unknown): string {
  if (err instanceof errors.JWTExpired) return "The identity token has expired";
  if (err instanceof errors.JWTClaimValidationFailed) {
    return `The identity token's ${err.claim} claim is missing or not accepted`;
  }
  if (err instanceof errors.JWSSignatureVerificationFailed)
    return "The identity token's signature is not valid";
  if (err instanceof errors.JOSEAlgNotAllowed)
    return "The identity token's signing algorithm is not accepted";
  if (err instanceof errors.JWKSNoMatchingKey) return "The identity token is signed with an unknown key";
  if (err instanceof errors.JWKSTimeout || err instanceof errors.JWKSInvalid) {
    return "The identity token could not be verified: the portal's key set is unavailable";
  }
  return "The identity token is malformed";
}

/** Verifies the portal's tokens: signature with the configured key, `exp` required, `iss`/`aud` when configured. */
export function createIdentityVerifier(config: IdentityKeyConfig): IdentityVerifier {
  let key: KeyLike | Uint8Array | JWTVerifyGetKey;
  let algorithms: string[];
  if (config.kind === "secret") {
    key = config.secret;
    algorithms = ["HS256"];
  } else if (config.kind === "publicKey") {
    key = config.key;
    algorithms = [config.algorithm];
  } else {
    key = createRemoteJWKSet(config.url, { timeoutDuration: 5000, cooldownDuration: 30_000 });
    algorithms = ["RS256", "ES256"];
  }
  return {
    async verify(token) {
      let payload: Record<string, unknown>;
      try {
        ({ payload } = await jwtVerify(token, key as Uint8Array, {
          algorithms,
          issuer: config.issuer,
          audience: config.audience,
          requiredClaims: ["exp", "sub"],
          clockTolerance: 5,
        }));
      } catch (err) {
        throw new IdentityTokenError(reason(err));
      }
      const sub = ossUserIdField.safeParse(payload.sub);
      if (!sub.success)
        throw new IdentityTokenError("The identity token's sub claim is not a valid oss_user_id");
      const email = emailField.safeParse(payload.email);
      if (!email.success)
        throw new IdentityTokenError("The identity token's email claim is missing or not an email");
      return { ossUserId: sub.data, email: email.data };
    },
  };
}

/** Signs a token the way the OSS portal does (HS256 with the shared secret): for development and tests. */
export async function mintIdentityToken(
  secret: Uint8Array,
  claims: { sub: string; email: string; ttlSeconds: number; issuer?: string; audience?: string },
): Promise<string> {
  let jwt = new SignJWT({ email: claims.email })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(claims.sub)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + claims.ttlSeconds);
  if (claims.issuer !== undefined) jwt = jwt.setIssuer(claims.issuer);
  if (claims.audience !== undefined) jwt = jwt.setAudience(claims.audience);
  return jwt.sign(secret);
}
