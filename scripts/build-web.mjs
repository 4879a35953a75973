// Bundles the browser pages (the embeddable widget and the agent console) with esbuild into dist/web/,
// each file named with a content hash, and writes dist/web/manifest.json mapping entry names to files.
// Safe to run while a server serves dist/web, and twice at once (tests build it): files are written under a
// temporary name and renamed, and a file is removed only once the new manifest no longer names it.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const out = path.join(root, "dist", "web");
mkdirSync(out, { recursive: true });
const writeAtomically = (file, contents) => {
  const tmp = path.join(out, `.${path.basename(file)}.${process.pid}.tmp`);
  writeFileSync(tmp, contents);
  renameSync(tmp, file);
};

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
  if (!existsSync(path.join(out, file))) writeAtomically(path.join(out, file), code);
  manifest[name] = file;
}
writeAtomically(path.join(out, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
const keep = new Set(["manifest.json", ...Object.values(manifest)]);
for (const file of readdirSync(out)) {
  if (!keep.has(file) && !file.endsWith(".tmp")) rmSync(path.join(out, file), { force: true });
}
console.error(`web: built ${Object.values(manifest).join(", ")} into dist/web`);
