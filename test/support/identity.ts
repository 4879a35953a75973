import { randomBytes } from "node:crypto";
import { mintIdentityToken } from "../../src/auth/identityTokens";

/** A secret made fresh for each test run: no secret is committed. */
export const TEST_IDENTITY_SECRET = randomBytes(32).toString("base64url");
const secretBytes = () => new TextEncoder().encode(TEST_IDENTITY_SECRET);

/** A token as the OSS portal would sign it with the test secret. */
export function mintTestToken(
  sub: string,
  email: string,
  options: { ttlSeconds?: number; secret?: string; issuer?: string; audience?: string } = {},
): Promise<string> {
  const secret = options.secret === undefined ? secretBytes() : new TextEncoder().encode(options.secret);
  return mintIdentityToken(secret, {
    sub,
    email,
    ttlSeconds: options.ttlSeconds ?? 600,
    issuer: options.issuer,
    audience: options.audience,
  });
}

/** Headers of a logged-in OSS user. */
export async function asOssUser(sub: string, email: string): Promise<Record<string, string>> {
  return { authorization: `Bearer ${await mintTestToken(sub, email)}` };
}

/** Headers of an anonymous browser. */
export const asBrowser = (browserUuid: string): Record<string, string> => ({ "x-browser-uuid": browserUuid });

/** Credentials that must not work, each claiming to be `sub`. */
export async function badTokens(sub: string, email: string): Promise<Record<string, string>> {
  const valid = await mintTestToken(`someone-else-${sub}`, "else@example.com");
  const [header, , signature] = valid.split(".");
  const payload = Buffer.from(
    JSON.stringify({ sub, email, exp: Math.floor(Date.now() / 1000) + 600 }),
  ).toString("base64url");
  return {
    expired: await mintTestToken(sub, email, { ttlSeconds: -60 }),
    forged: await mintTestToken(sub, email, { secret: "an-attacker-secret-that-is-32-chars-long!" }),
    tampered: `${header}.${payload}.${signature}`,
    unsigned: `${Buffer.from('{"alg":"none","typ":"JWT"}').toString("base64url")}.${payload}.`,
    garbage: "not-a-jwt",
  };
}

export const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });
