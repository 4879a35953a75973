import { createPublicKey, type KeyObject } from "node:crypto";

/** How the OSS portal's identity tokens are checked: one key source, and the optional iss/aud. */
export type IdentityKeyConfig = (
  | { readonly kind: "secret"; readonly algorithm: "HS256"; readonly secret: Uint8Array }
  | { readonly kind: "publicKey"; readonly algorithm: "RS256" | "ES256"; readonly key: KeyObject }
  | { readonly kind: "jwks"; readonly url: URL }
) & {
  readonly issuer: string | undefined;
  readonly audience: string | undefined;
};

interface IdentityEnv {
  readonly OSS_IDENTITY_SECRET?: string | undefined;
  readonly OSS_IDENTITY_PUBLIC_KEY?: string | undefined;
  readonly OSS_IDENTITY_JWKS_URL?: string | undefined;
  readonly OSS_IDENTITY_ISSUER?: string | undefined;
  readonly OSS_IDENTITY_AUDIENCE?: string | undefined;
}

/** The algorithm a PEM public key signs with: RS256 for RSA, ES256 for an EC P-256 key; anything else is refused. */
function publicKeyAlgorithm(key: KeyObject): "RS256" | "ES256" | null {
  if (key.asymmetricKeyType === "rsa")
    return (key.asymmetricKeyDetails?.modulusLength ?? 0) >= 2048 ? "RS256" : null;
  if (key.asymmetricKeyType === "ec" && key.asymmetricKeyDetails?.namedCurve === "prime256v1") return "ES256";
  return null;
}

/** Picks the one configured key source; `fail` builds the error that names the variable. */
export function parseIdentityKey(
  env: IdentityEnv,
  fail: (message: string) => Error,
): IdentityKeyConfig | null {
  const sources = (
    ["OSS_IDENTITY_SECRET", "OSS_IDENTITY_PUBLIC_KEY", "OSS_IDENTITY_JWKS_URL"] as const
  ).filter((name) => env[name] !== undefined);
  if (sources.length > 1) throw fail(`${sources.join(", ")}: set only one of them`);
  const claims = { issuer: env.OSS_IDENTITY_ISSUER, audience: env.OSS_IDENTITY_AUDIENCE };
  if (env.OSS_IDENTITY_SECRET !== undefined) {
    return {
      kind: "secret",
      algorithm: "HS256",
      secret: new TextEncoder().encode(env.OSS_IDENTITY_SECRET),
      ...claims,
    };
  }
  if (env.OSS_IDENTITY_PUBLIC_KEY !== undefined) {
    // Environment files often carry a PEM on one line with literal "\n".
    const pem = env.OSS_IDENTITY_PUBLIC_KEY.replace(/\\n/g, "\n");
    let key: KeyObject;
    try {
      key = createPublicKey(pem);
    } catch {
      throw fail("OSS_IDENTITY_PUBLIC_KEY: must be a PEM public key (-----BEGIN PUBLIC KEY-----…)");
    }
    const algorithm = publicKeyAlgorithm(key);
    if (algorithm === null) {
      throw fail(
        "OSS_IDENTITY_PUBLIC_KEY: must be an RSA key of at least 2048 bits (RS256) or an EC P-256 key (ES256)",
      );
    }
    return { kind: "publicKey", algorithm, key, ...claims };
  }
  if (env.OSS_IDENTITY_JWKS_URL !== undefined) {
    return { kind: "jwks", url: new URL(env.OSS_IDENTITY_JWKS_URL), ...claims };
  }
  return null;
}

/** For the start-up log: how tokens are verified, without the key. */
export function describeIdentityKey(config: IdentityKeyConfig | null): string {
  if (config === null) return "not configured";
  if (config.kind === "secret") return "HS256 with OSS_IDENTITY_SECRET";
  if (config.kind === "publicKey") return `${config.algorithm} with OSS_IDENTITY_PUBLIC_KEY`;
  return `RS256/ES256 with the JWKS at ${config.url.href}`;
}
