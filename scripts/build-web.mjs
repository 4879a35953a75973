// Bundles the browser pages (the embeddable widget and the agent console) with esbuild into dist/web/,
// each file named with a content hash, and writes dist/web/manifest.json mapping entry names to files.
import { createHash } from "node:crypto";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const out = path.join(root, "dist", "web");
rmSync(out, { recursive: true, force: true });
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
writeFileSync(path.join(out, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
console.error(`web: built ${Object.values(manifest).join(", ")} into dist/web`);
