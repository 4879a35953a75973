import { createRemoteJWKSet, errors, type JWTVerifyGetKey, jwtVerify, type KeyLike, SignJWT } from "jose";
import { emailField, ossUserIdField } from "../commands/fields";
import type { IdentityKeyConfig } from "../identityKeyConfig";

/** A logged-in OSS user, as the portal's signed token says. */
export interface OssIdentity {
  readonly ossUserId: string;
  readonly email: string;
}

/** Why a token proves nothing: stable codes the HTTP edge turns into the caller's language. */
export type IdentityTokenProblem =
  | "token_expired"
  | "token_claim_rejected"
  | "token_signature_invalid"
  | "token_algorithm_rejected"
  | "token_unknown_key"
  | "token_keys_unavailable"
  | "token_malformed"
  | "token_sub_invalid"
  | "token_email_invalid";

/** A token that does not prove an identity; the code says why, without echoing the token. */
export class IdentityTokenError extends Error {
  constructor(
    readonly code: IdentityTokenProblem,
    /** The claim concerned, for `token_claim_rejected`. */
    readonly claim?: string,
  ) {
    super(claim === undefined ? code : `${code}: ${claim}`);
    this.name = "IdentityTokenError";
  }
}

export interface IdentityVerifier {
  /** The identity a token proves, or an IdentityTokenError. */
  verify(token: string): Promise<OssIdentity>;
}

/**
 * Why verification failed. With a JWKS, anything but a verdict on the token itself (a refused connection, a
 * timeout, a body that is no key set) means the portal's keys could not be had: not the caller's fault.
 */
function problem(err: unknown, remoteKeys: boolean): IdentityTokenError {
  if (err instanceof errors.JWTExpired) return new IdentityTokenError("token_expired");
  if (err instanceof errors.JWTClaimValidationFailed)
    return new IdentityTokenError("token_claim_rejected", err.claim);
  if (err instanceof errors.JWSSignatureVerificationFailed)
    return new IdentityTokenError("token_signature_invalid");
  if (err instanceof errors.JOSEAlgNotAllowed) return new IdentityTokenError("token_algorithm_rejected");
  if (err instanceof errors.JWKSNoMatchingKey) return new IdentityTokenError("token_unknown_key");
  if (err instanceof errors.JWKSTimeout || err instanceof errors.JWKSInvalid) {
    return new IdentityTokenError("token_keys_unavailable");
  }
  const aboutTheToken = err instanceof errors.JWSInvalid || err instanceof errors.JWTInvalid;
  if (remoteKeys && !aboutTheToken) return new IdentityTokenError("token_keys_unavailable");
  return new IdentityTokenError("token_malformed");
}

/** How a JWKS is cached: tests shorten the cooldown to see a rotation without waiting 30 s. */
export interface JwksOptions {
  /** After a fetch, an unknown `kid` does not refetch for this long, so junk tokens cannot hammer the portal. */
  readonly cooldownMs?: number;
  /** A fetched key set is used this long before it is fetched again. */
  readonly cacheMaxAgeMs?: number;
}

/** Verifies the portal's tokens: signature with the configured key, `exp` required, `iss`/`aud` when configured. */
export function createIdentityVerifier(config: IdentityKeyConfig, jwks: JwksOptions = {}): IdentityVerifier {
  let key: KeyLike | Uint8Array | JWTVerifyGetKey;
  let algorithms: string[];
  if (config.kind === "secret") {
    key = config.secret;
    algorithms = ["HS256"];
  } else if (config.kind === "publicKey") {
    key = config.key;
    algorithms = [config.algorithm];
  } else {
    key = createRemoteJWKSet(config.url, {
      timeoutDuration: 5000,
      cooldownDuration: jwks.cooldownMs ?? 30_000,
      cacheMaxAge: jwks.cacheMaxAgeMs ?? 600_000,
    });
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
        throw problem(err, config.kind === "jwks");
      }
      const sub = ossUserIdField.safeParse(payload.sub);
      if (!sub.success) throw new IdentityTokenError("token_sub_invalid");
      const email = emailField.safeParse(payload.email);
      if (!email.success) throw new IdentityTokenError("token_email_invalid");
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
