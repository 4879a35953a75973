import { existsSync } from "node:fs";
import path from "node:path";
import express, { Router } from "express";
import { z } from "zod";
import { mintIdentityToken } from "../auth/identityTokens";
import { sendError } from "./errors";
import { describeRoute } from "./openapi/routeDocs";

/** The checkout's (or image's) `public/` directory, from the sources or from the build in `dist/`. */
function publicDir(): string {
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const candidate = path.join(dir, "public");
    if (existsSync(path.join(candidate, "demo.html"))) return candidate;
  }
  throw new Error("public/demo.html not found above the service's directory");
}

/**
 * The demo portal's "log in as a test user": development only (not with NODE_ENV=production) and only with an
 * HS256 secret (OSS_IDENTITY_SECRET), which the service can sign with as the portal would.
 */
export interface DemoLogin {
  readonly secret: Uint8Array;
  readonly issuer?: string | undefined;
  readonly audience?: string | undefined;
}

export const DEMO_USER = { sub: "OSS-DEMO-USER", email: "demo.user@example.com" } as const;

const demoToken = z.object({
  token: z.string(),
  oss_user_id: z.string(),
  email: z.string(),
  expires_in: z.number().int(),
});

/** `/demo`, a mock OSS portal embedding the widget (the console is consoleRoutes.ts). */
export function demoRoutes(options: { demoLogin?: DemoLogin | null } = {}): Router {
  const dir = publicDir();
  const router = Router();
  const page = (route: "/demo", summary: string) =>
    describeRoute(router, {
      method: "get",
      path: route,
      summary,
      tags: ["demo"],
      auth: ["none"],
      responses: { 200: { description: "An HTML page", contentType: "text/html" } },
    });
  page("/demo", "A mock OSS portal page embedding the widget with its one script tag");
  router.get("/demo", (_req, res) => res.sendFile(path.join(dir, "demo.html")));
  router.use("/demo/assets", express.static(dir, { index: false, maxAge: "5m" }));

  describeRoute(router, {
    method: "post",
    path: "/demo/identity-token",
    summary: "Development only: an OSS identity token for the demo portal's test user",
    description:
      "What the OSS portal's backend does after a login, for the demo page: a 15-minute token of the test user " +
      "`OSS-DEMO-USER`. 404 with NODE_ENV=production or without OSS_IDENTITY_SECRET.",
    tags: ["demo"],
    auth: ["none"],
    responses: {
      200: { description: "A token for OssLiveChat.identify()", schema: demoToken },
      404: { description: "Not available here", contentType: "application/json" },
    },
  });
  router.post("/demo/identity-token", async (req, res) => {
    const login = options.demoLogin ?? null;
    if (login === null) {
      sendError(req, res, 404, "not_found");
      return;
    }
    const ttlSeconds = 900;
    const token = await mintIdentityToken(login.secret, {
      ...DEMO_USER,
      ttlSeconds,
      issuer: login.issuer,
      audience: login.audience,
    });
    res.set("Cache-Control", "no-store");
    res.json({ token, oss_user_id: DEMO_USER.sub, email: DEMO_USER.email, expires_in: ttlSeconds });
  });
  describeRoute(router, {
    method: "get",
    path: "/favicon.ico",
    summary: "The site icon browsers ask for (a chat bubble)",
    tags: ["demo"],
    auth: ["none"],
    responses: { 200: { description: "An icon", contentType: "image/x-icon" } },
  });
  router.get("/favicon.ico", (_req, res) => {
    res.sendFile(path.join(dir, "favicon.ico"), {
      maxAge: "1d",
      headers: { "Content-Type": "image/x-icon" },
    });
  });
  return router;
}
