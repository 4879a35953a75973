import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { type Response, Router } from "express";
import { z } from "zod";
import { describeRoute } from "./openapi/routeDocs";
import { errors } from "./schemas/common";

/** The web build's directory (`dist/web`, written by `npm run build`), from the sources or from the build. */
export function webDistDir(): string {
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, "package.json"))) return path.join(dir, "dist", "web");
  }
  return path.resolve("dist", "web");
}

/** The hashed file of one entry of the web build, or null when the build has not run. */
function builtFile(dir: string, entry: string): string | null {
  try {
    const manifest = JSON.parse(readFileSync(path.join(dir, "manifest.json"), "utf8")) as Record<
      string,
      string
    >;
    return manifest[entry] ?? null;
  } catch {
    return null;
  }
}

const HASHED = /^console\.[0-9a-f]{12}\.js$/;

/** The page: nothing but a mount point and the bundle; the console renders itself (Preact, no CDN). */
function consolePage(file: string): string {
  return `<!doctype html>
<html lang="id">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light">
<title>Konsol Agen — OSS LiveChat</title>
<script src="/console/assets/${file}" defer></script>
</head>
<body>
<div id="app"></div>
<noscript>This console needs JavaScript. / Konsol ini memerlukan JavaScript.</noscript>
</body>
</html>
`;
}

/**
 * The agent console: `GET /console` is a small HTML page (never cached, so a new build is picked up at once)
 * loading the content-hashed bundle from `dist/web`, served with an immutable cache.
 */
export function consoleRoutes(dir = webDistDir()): Router {
  const router = Router();
  describeRoute(router, {
    method: "get",
    path: "/console",
    summary: "The agent console (HTML page; sign in with an agent staff key)",
    tags: ["demo"],
    auth: ["none"],
    responses: {
      200: { description: "An HTML page", contentType: "text/html" },
      503: { description: "The web build is missing (run npm run build)", contentType: "text/plain" },
    },
  });
  router.get("/console", (_req, res) => {
    const file = builtFile(dir, "console");
    res.set("Cache-Control", "no-cache");
    if (file === null) {
      res.status(503).type("text/plain").send("The console is not built: run `npm run build`.\n");
      return;
    }
    res.type("html").send(consolePage(file));
  });
  describeRoute(router, {
    method: "get",
    path: "/console/assets/:file",
    summary: "The console's content-hashed bundle (cached for a year, immutable)",
    tags: ["demo"],
    auth: ["none"],
    input: z.object({ file: z.string().describe("console.<hash>.js, as the page names it") }),
    responses: {
      200: { description: "JavaScript", contentType: "application/javascript" },
      404: { description: "No such file", contentType: "text/plain" },
      ...errors(400),
    },
  });
  const notFound = (res: Response) => res.status(404).type("text/plain").send("Not found\n");
  router.get("/console/assets/:file", (req, res) => {
    const file = req.params.file;
    if (!HASHED.test(file)) {
      notFound(res);
      return;
    }
    res.sendFile(
      path.join(dir, file),
      {
        headers: {
          "Cache-Control": "public, max-age=31536000, immutable",
          "Cross-Origin-Resource-Policy": "same-origin",
        },
        dotfiles: "deny",
      },
      (err) => {
        if (err && !res.headersSent) notFound(res);
      },
    );
  });
  return router;
}
