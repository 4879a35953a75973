import { existsSync } from "node:fs";
import path from "node:path";
import express, { Router } from "express";
import { describeRoute } from "./openapi/routeDocs";

/** The checkout's (or image's) `public/` directory, from the sources or from the build in `dist/`. */
function publicDir(): string {
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const candidate = path.join(dir, "public");
    if (existsSync(path.join(candidate, "demo.html"))) return candidate;
  }
  throw new Error("public/demo.html not found above the service's directory");
}

/** The demo widget (`/demo`): a static page in plain JS, no build step (the console is consoleRoutes.ts). */
export function demoRoutes(): Router {
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
  page("/demo", "The demo chat widget (static page)");
  router.get("/demo", (_req, res) => res.sendFile(path.join(dir, "demo.html")));
  router.use("/demo/assets", express.static(dir, { index: false, maxAge: "5m" }));
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
