import { generateKeyPairSync, randomBytes } from "node:crypto";
import { SignJWT } from "jose";
import { createIdentityVerifier, IdentityTokenError, mintIdentityToken } from "../../src/auth/identityTokens";
import { parseIdentityKey } from "../../src/identityKeyConfig";

const secret = randomBytes(32).toString("hex");
const fail = (m: string) => new Error(m);
const hsConfig = (extra: Record<string, string> = {}) => {
  const c = parseIdentityKey({ OSS_IDENTITY_SECRET: secret, ...extra }, fail);
  if (c === null) throw new Error("no config");
  return c;
};
const enc = (s: string) => new TextEncoder().encode(s);

async function rejection(
  verifier: ReturnType<typeof createIdentityVerifier>,
  token: string,
): Promise<string> {
  try {
    await verifier.verify(token);
  } catch (err) {
    expect(err).toBeInstanceOf(IdentityTokenError);
    return (err as IdentityTokenError).message;
  }
  throw new Error("expected the token to be refused");
}

describe("OSS identity tokens", () => {
  const verifier = createIdentityVerifier(hsConfig());

  test("a token minted with the secret proves its sub and email", async () => {
    const token = await mintIdentityToken(enc(secret), {
      sub: "USER123",
      email: "u@example.com",
      ttlSeconds: 60,
    });
    await expect(verifier.verify(token)).resolves.toEqual({ ossUserId: "USER123", email: "u@example.com" });
  });

  test.each([
    [
      "expired",
      () => mintIdentityToken(enc(secret), { sub: "U", email: "u@example.com", ttlSeconds: -60 }),
      /expired/,
    ],
    [
      "forged",
      () => mintIdentityToken(enc("x".repeat(40)), { sub: "U", email: "u@example.com", ttlSeconds: 60 }),
      /signature/,
    ],
    [
      "without exp",
      () =>
        new SignJWT({ email: "u@example.com" })
          .setProtectedHeader({ alg: "HS256" })
          .setSubject("U")
          .sign(enc(secret)),
      /exp/,
    ],
    [
      "without sub",
      () =>
        new SignJWT({ email: "u@example.com" })
          .setProtectedHeader({ alg: "HS256" })
          .setExpirationTime("1m")
          .sign(enc(secret)),
      /sub/,
    ],
    [
      "without email",
      () =>
        new SignJWT({})
          .setProtectedHeader({ alg: "HS256" })
          .setSubject("U")
          .setExpirationTime("1m")
          .sign(enc(secret)),
      /email/,
    ],
    [
      "with a NUL in sub",
      () => mintIdentityToken(enc(secret), { sub: "U\u0000", email: "u@example.com", ttlSeconds: 60 }),
      /sub/,
    ],
    [
      "signed with HS512",
      () =>
        new SignJWT({ email: "u@example.com" })
          .setProtectedHeader({ alg: "HS512" })
          .setSubject("U")
          .setExpirationTime("1m")
          .sign(enc(secret)),
      /algorithm/,
    ],
    ["malformed", async () => "a.b.c", /malformed/],
  ])("a token %s is refused with a clear reason", async (_name, make, reason) => {
    expect(await rejection(verifier, await make())).toMatch(reason);
  });

  test("iss and aud are checked when configured", async () => {
    const strict = createIdentityVerifier(
      hsConfig({ OSS_IDENTITY_ISSUER: "https://oss.go.id", OSS_IDENTITY_AUDIENCE: "livechat" }),
    );
    const claims = { sub: "U", email: "u@example.com", ttlSeconds: 60 };
    const good = await mintIdentityToken(enc(secret), {
      ...claims,
      issuer: "https://oss.go.id",
      audience: "livechat",
    });
    await expect(strict.verify(good)).resolves.toMatchObject({ ossUserId: "U" });
    expect(
      await rejection(strict, await mintIdentityToken(enc(secret), { ...claims, audience: "livechat" })),
    ).toMatch(/iss/);
    expect(
      await rejection(
        strict,
        await mintIdentityToken(enc(secret), { ...claims, issuer: "https://evil", audience: "livechat" }),
      ),
    ).toMatch(/iss/);
    expect(
      await rejection(
        strict,
        await mintIdentityToken(enc(secret), { ...claims, issuer: "https://oss.go.id", audience: "x" }),
      ),
    ).toMatch(/aud/);
  });

  test.each([
    ["RS256", "rsa", { modulusLength: 2048 }],
    ["ES256", "ec", { namedCurve: "P-256" }],
  ] as const)(
    "%s tokens verify with OSS_IDENTITY_PUBLIC_KEY, and an HS256 token made with that PEM as secret does not",
    async (alg, type, opts) => {
      const { publicKey, privateKey } = generateKeyPairSync(type as "rsa", opts as { modulusLength: number });
      const pem = publicKey.export({ type: "spki", format: "pem" }).toString();
      const config = parseIdentityKey({ OSS_IDENTITY_PUBLIC_KEY: pem.replace(/\n/g, "\\n") }, fail);
      expect(config).toMatchObject({ kind: "publicKey", algorithm: alg });
      const v = createIdentityVerifier(config as NonNullable<typeof config>);
      const token = await new SignJWT({ email: "u@example.com" })
        .setProtectedHeader({ alg })
        .setSubject("U")
        .setExpirationTime("1m")
        .sign(privateKey);
      await expect(v.verify(token)).resolves.toEqual({ ossUserId: "U", email: "u@example.com" });
      const confused = await new SignJWT({ email: "u@example.com" })
        .setProtectedHeader({ alg: "HS256" })
        .setSubject("U")
        .setExpirationTime("1m")
        .sign(enc(pem));
      expect(await rejection(v, confused)).toMatch(/algorithm/);
    },
  );
});
