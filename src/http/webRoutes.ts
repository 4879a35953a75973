import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { type Response, Router } from "express";
import { z } from "zod";
import { describeRoute } from "./openapi/routeDocs";
import { errors } from "./schemas/common";

/** The built browser bundles: `npm run build` writes dist/web/ (content-hashed files) and its manifest.json. */
function webDir(): string | null {
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const candidate = path.join(dir, "dist", "web");
    try {
      if (statSync(path.join(candidate, "manifest.json")).isFile()) return candidate;
    } catch {
      // not here: look one level up
    }
  }
  return null;
}

/** The manifest (entry → hashed file name), read again when it changes (a rebuild while running). */
function manifestReader() {
  let cached: { dir: string; mtimeMs: number; files: Record<string, string> } | null = null;
  return (): { dir: string; files: Record<string, string> } | null => {
    const dir = cached?.dir ?? webDir();
    if (dir === null) return null;
    try {
      const file = path.join(dir, "manifest.json");
      const { mtimeMs } = statSync(file);
      if (cached === null || cached.mtimeMs !== mtimeMs) {
        cached = { dir, mtimeMs, files: JSON.parse(readFileSync(file, "utf8")) as Record<string, string> };
      }
      return cached;
    } catch {
      cached = null;
      return null;
    }
  };
}

/** Scripts any portal may load (no credentials, nothing personal): any origin may embed and read them. */
function embeddable(res: Response) {
  res.set("Cross-Origin-Resource-Policy", "cross-origin");
  res.set("Access-Control-Allow-Origin", "*");
  res.removeHeader("Vary");
}

/**
 * The loader: a small stable script (cached briefly) that loads the current widget bundle (cached for good,
 * its name carries its content hash). It queues calls to window.OssLiveChat made before the bundle runs.
 */
export function widgetLoader(bundlePath: string): string {
  return `/* OSS LiveChat widget loader */
(function () {
  var d = document, s = d.currentScript;
  if (!s || window.OssLiveChat) return;
  var q = [], stub = { q: q };
  ["open", "close", "identify", "setLanguage", "on"].forEach(function (m) {
    stub[m] = function () {
      var a = arguments;
      return new Promise(function (ok, no) { q.push([m, a, ok, no]); });
    };
  });
  window.OssLiveChat = stub;
  var e = d.createElement("script");
  e.src = new URL(${JSON.stringify(bundlePath)}, s.src).href;
  e.async = true;
  e.setAttribute("data-api", new URL(s.src).origin);
  var lang = s.getAttribute("data-lang");
  if (lang) e.setAttribute("data-lang", lang);
  e.onload = e.onerror = function () { e.remove(); };
  (d.head || d.documentElement).appendChild(e);
})();
`;
}

const bundleName = z.object({
  file: z.string().regex(/^[a-z]+\.[0-9a-f]{12}\.js$/, "must be a bundle name"),
});

/** GET /widget.js (the loader) and GET /web/:file (the content-hashed bundles). */
export function webRoutes(): Router {
  const router = Router();
  const manifest = manifestReader();
  const notBuilt = (res: Response) =>
    res.status(503).type("text/plain").send("The browser bundles are not built: run `npm run build`.\n");

  describeRoute(router, {
    method: "get",
    path: "/widget.js",
    summary: "The widget's loader: one <script src=…/widget.js data-lang=id async> tag embeds the widget",
    description:
      "Loadable from any origin (Cross-Origin-Resource-Policy: cross-origin), cached 5 minutes; it loads the " +
      "content-hashed bundle under /web/, which is cached for a year. The API calls and the WebSocket of the " +
      "widget are allowed from the origins in CORS_ORIGINS.",
    tags: ["widget"],
    auth: ["none"],
    responses: {
      200: { description: "JavaScript", contentType: "application/javascript" },
      503: { description: "The bundles are not built", contentType: "text/plain" },
    },
  });
  router.get("/widget.js", (_req, res) => {
    const m = manifest();
    const widget = m?.files.widget;
    if (widget === undefined) {
      notBuilt(res);
      return;
    }
    embeddable(res);
    res.set("Cache-Control", "public, max-age=300");
    res.type("application/javascript").send(widgetLoader(`/web/${widget}`));
  });

  describeRoute(router, {
    method: "get",
    path: "/web/:file",
    summary: "A content-hashed browser bundle (the widget, the console), cached immutably",
    tags: ["widget"],
    auth: ["none"],
    input: bundleName,
    responses: {
      200: { description: "JavaScript", contentType: "application/javascript" },
      404: { description: "No such bundle", contentType: "text/plain" },
      ...errors(400),
    },
  });
  router.get("/web/:file", (req, res) => {
    const m = manifest();
    const file = req.params.file;
    if (m === null) {
      notBuilt(res);
      return;
    }
    // Any bundle still on disk, not only the current ones: a page that loaded an older loader still works.
    if (!bundleName.safeParse({ file }).success || !existsSync(path.join(m.dir, file))) {
      res.status(404).type("text/plain").send("No such bundle\n");
      return;
    }
    embeddable(res);
    res.set("Cache-Control", "public, max-age=31536000, immutable");
    res.type("application/javascript").sendFile(path.join(m.dir, file));
  });
  return router;
}

/** The hashed file of an entry ("widget", "console"), for pages that reference a bundle directly. */
export const webBundles = manifestReader();
