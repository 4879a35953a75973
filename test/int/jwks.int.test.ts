import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, type JWK, type KeyLike, SignJWT } from "jose";
import {
  createIdentityVerifier,
  IdentityTokenError,
  type IdentityVerifier,
} from "../../src/auth/identityTokens";
import { parseIdentityKey } from "../../src/identityKeyConfig";
import { bearer } from "../support/identity";
import { startTestService } from "../support/testService";

/** A key pair as the OSS portal would hold it, published under `kid`. */
interface PortalKey {
  readonly kid: string;
  readonly alg: "RS256" | "ES256";
  readonly privateKey: KeyLike;
  readonly jwk: JWK;
}

async function portalKey(kid: string, alg: "RS256" | "ES256"): Promise<PortalKey> {
  const { publicKey, privateKey } = await generateKeyPair(alg);
  return { kid, alg, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg, use: "sig" } };
}

const sign = (key: PortalKey, sub = "USER-1", kid = key.kid) =>
  new SignJWT({ email: "u@example.com" })
    .setProtectedHeader({ alg: key.alg, kid })
    .setSubject(sub)
    .setExpirationTime("5m")
    .sign(key.privateKey);

/** The portal's JWKS endpoint on loopback: serves `published`, counts fetches. */
let server: Server;
let published: PortalKey[] = [];
let fetches = 0;
let url: string;

beforeAll(async () => {
  server = createServer((_req, res) => {
    fetches += 1;
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ keys: published.map((k) => k.jwk) }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
});
afterAll(async () => new Promise((resolve) => server.close(resolve)));

function jwksVerifier(cooldownMs: number, at = url): IdentityVerifier {
  const config = parseIdentityKey({ OSS_IDENTITY_JWKS_URL: at }, (m) => new Error(m));
  if (config === null) throw new Error("no config");
  return createIdentityVerifier(config, { cooldownMs });
}

async function refusal(verifier: IdentityVerifier, token: string): Promise<string> {
  try {
    await verifier.verify(token);
  } catch (err) {
    expect(err).toBeInstanceOf(IdentityTokenError);
    return (err as IdentityTokenError).code;
  }
  throw new Error("expected the token to be refused");
}

describe("OSS identity tokens verified against the portal's JWKS", () => {
  let rsa: PortalKey;
  let ec: PortalKey;
  beforeAll(async () => {
    rsa = await portalKey("rsa-2025", "RS256");
    ec = await portalKey("ec-2025", "ES256");
  });
  beforeEach(() => {
    published = [rsa, ec];
    fetches = 0;
  });

  test("RS256 and ES256 tokens verify with the key their kid names", async () => {
    const verifier = jwksVerifier(30_000);
    await expect(verifier.verify(await sign(rsa, "RSA-USER"))).resolves.toEqual({
      ossUserId: "RSA-USER",
      email: "u@example.com",
    });
    await expect(verifier.verify(await sign(ec, "EC-USER"))).resolves.toMatchObject({ ossUserId: "EC-USER" });
    expect(fetches).toBe(1); // the set is cached, not fetched per token
  });

  test("a token naming one kid but signed with another key is refused", async () => {
    const verifier = jwksVerifier(30_000);
    // An ES256 token naming the RSA key's kid: no published key has both that kid and that algorithm.
    expect(await refusal(verifier, await sign(ec, "X", rsa.kid))).toBe("token_unknown_key");
    const otherRsa = await portalKey("rsa-2025", "RS256");
    expect(await refusal(verifier, await sign(otherRsa))).toBe("token_signature_invalid");
  });

  test("an unknown kid is refused, and within the cooldown it does not make the service refetch", async () => {
    const verifier = jwksVerifier(30_000);
    await verifier.verify(await sign(rsa));
    const stranger = await portalKey("not-published", "RS256");
    expect(await refusal(verifier, await sign(stranger))).toBe("token_unknown_key");
    expect(await refusal(verifier, await sign(stranger))).toBe("token_unknown_key");
    expect(fetches).toBe(1);
  });

  test("key rotation: a new kid is fetched after the cooldown, and a retired key stops working", async () => {
    const verifier = jwksVerifier(100);
    const oldToken = await sign(rsa);
    await verifier.verify(oldToken);
    const next = await portalKey("rsa-2026", "RS256");
    published = [next, ec]; // the portal rotates: rsa-2025 retired, rsa-2026 published
    await new Promise((r) => setTimeout(r, 150));
    await expect(verifier.verify(await sign(next, "ROTATED"))).resolves.toMatchObject({
      ossUserId: "ROTATED",
    });
    expect(fetches).toBe(2);
    expect(await refusal(verifier, oldToken)).toBe("token_unknown_key");
  });

  test("a JWKS endpoint that is down or serves junk is 'keys unavailable', not a bad token", async () => {
    const down = jwksVerifier(0, "http://127.0.0.1:1/jwks.json");
    expect(await refusal(down, await sign(rsa))).toBe("token_keys_unavailable");
    published = [];
    const junk = createServer((_req, res) => res.end("<html>maintenance</html>"));
    await new Promise<void>((resolve) => junk.listen(0, "127.0.0.1", resolve));
    try {
      const at = `http://127.0.0.1:${(junk.address() as AddressInfo).port}/jwks.json`;
      expect(await refusal(jwksVerifier(0, at), await sign(rsa))).toBe("token_keys_unavailable");
    } finally {
      await new Promise((resolve) => junk.close(resolve));
    }
  });

  test("the service verifies with OSS_IDENTITY_JWKS_URL and answers 401 token_unknown_key for a stranger's token", async () => {
    const svc = await startTestService({ OSS_IDENTITY_SECRET: "", OSS_IDENTITY_JWKS_URL: url });
    try {
      const ok = await svc.post("/api/oss-chat/start", { topic: "Izin" }, bearer(await sign(ec, "SVC-USER")));
      expect(ok.status).toBe(201);
      const stranger = await portalKey("nobody", "ES256");
      const refused = await svc.get("/api/oss-chat/history", bearer(await sign(stranger)));
      expect(refused.status).toBe(401);
      expect(refused.body.code).toBe("token_unknown_key");
    } finally {
      await svc.stop();
    }
  });
});
