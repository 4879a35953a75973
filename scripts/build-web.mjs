// Bundles the browser pages (the embeddable widget and the agent console) with esbuild into dist/web/,
// each file named with a content hash, and writes dist/web/manifest.json mapping entry names to files.
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const out = path.join(root, "dist", "web");
// Not emptied first: a server (or a test) reading dist/web meanwhile never finds it half-built. Bundles are
// written under their content hash, the manifest last (by rename), and bundles it no longer names removed after.
mkdirSync(out, { recursive: true });

const entries = {
  widget: "web/widget/main.tsx",
  console: "web/console/main.tsx",
};

const manifest = {};
for (const [name, entry] of Object.entries(entries)) {
  const result = await build({
    entryPoints: [path.join(root, entry)],
    bundle: true,
    minify: true,
    format: "iife",
    target: ["es2020", "chrome100", "firefox100", "safari15"],
    jsx: "automatic",
    jsxImportSource: "preact",
    loader: { ".css": "text", ".svg": "text" },
    write: false,
    legalComments: "none",
    define: { "process.env.NODE_ENV": '"production"' },
    logLevel: "warning",
  });
  const code = result.outputFiles[0].contents;
  const hash = createHash("sha256").update(code).digest("hex").slice(0, 12);
  const file = `${name}.${hash}.js`;
  writeFileSync(path.join(out, file), code);
  manifest[name] = file;
}
const next = path.join(out, `manifest.${process.pid}.tmp`);
writeFileSync(next, `${JSON.stringify(manifest, null, 2)}\n`);
renameSync(next, path.join(out, "manifest.json"));
const current = new Set(Object.values(manifest));
for (const file of readdirSync(out)) {
  if (/^[a-z]+\.[0-9a-f]{12}\.js$/.test(file) && !current.has(file))
    rmSync(path.join(out, file), { force: true });
}
console.error(`web: built ${Object.values(manifest).join(", ")} into dist/web`);
