import { createRequire } from "node:module";
import path from "node:path";
import express, { type Express } from "express";
import { z } from "zod";
import { buildOpenApiDocument } from "./document";
import { describeRoute } from "./routeDocs";

/** The viewer's files come from the swagger-ui-dist package and are served from here: no CDN. */
const viewerDir = path.dirname(createRequire(__filename).resolve("swagger-ui-dist/package.json"));

const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>OSS LiveChat API</title>
  <link rel="stylesheet" href="/docs/assets/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/assets/swagger-ui-bundle.js"></script>
  <script src="/docs/init.js"></script>
</body>
</html>
`;

// A file, not an inline script: the security headers (helmet's CSP) allow scripts from this origin only.
const INIT = `window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui", deepLinking: true });\n`;

/** GET /openapi.json (the generated document) and GET /docs (an interactive reference of it). */
export function docsRoutes(app: Express, info: { title: string; version: string }): void {
  let document: unknown = null;
  describeRoute(app, {
    method: "get",
    path: "/openapi.json",
    summary: "This API's OpenAPI 3.1 document",
    tags: ["reference"],
    auth: ["none"],
    responses: { 200: { description: "The document", schema: z.record(z.string(), z.unknown()) } },
  });
  app.get("/openapi.json", (_req, res) => {
    // Built on first use: by then every route module has declared its routes.
    document ??= buildOpenApiDocument(app, info);
    res.json(document);
  });
  describeRoute(app, {
    method: "get",
    path: "/docs",
    summary: "Interactive API reference (Swagger UI, served locally)",
    tags: ["reference"],
    auth: ["none"],
    responses: { 200: { description: "An HTML page", contentType: "text/html" } },
  });
  app.get("/docs", (_req, res) => {
    res.type("html").send(PAGE);
  });
  describeRoute(app, {
    method: "get",
    path: "/docs/init.js",
    summary: "The reference page's start-up script",
    tags: ["reference"],
    auth: ["none"],
    responses: { 200: { description: "JavaScript", contentType: "text/javascript" } },
  });
  app.get("/docs/init.js", (_req, res) => {
    res.type("text/javascript").send(INIT);
  });
  app.use("/docs/assets", express.static(viewerDir, { index: false, maxAge: "1d" }));
}
