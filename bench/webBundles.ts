/**
 * The browser bundles' size as a browser downloads them: `npm run build`'s web step (scripts/build-web.mjs), then
 * each entry of dist/web/manifest.json gzipped at level 9 — `console_js_gzip_kb` (budget ≤ 150) and
 * `widget_js_gzip_kb` (budget ≤ 60).
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";

export type WebBundleResults = Record<string, number>;

const root = path.join(__dirname, "..");

export function measureWebBundles(): WebBundleResults {
  execFileSync(process.execPath, [path.join(root, "scripts", "build-web.mjs")], { stdio: "pipe" });
  const dir = path.join(root, "dist", "web");
  const manifest = JSON.parse(readFileSync(path.join(dir, "manifest.json"), "utf8")) as Record<
    string,
    string
  >;
  const out: WebBundleResults = {};
  for (const [entry, file] of Object.entries(manifest)) {
    const gz = gzipSync(readFileSync(path.join(dir, file)), { level: 9 }).length;
    out[`${entry}_js_gzip_kb`] = Math.round((gz / 1024) * 10) / 10;
  }
  return out;
}

export function webMarkdown(r: WebBundleResults): string {
  const parts = Object.entries(r).map(([key, kb]) => `${key.replace(/_js_gzip_kb$/, "")} ${kb} KB`);
  return `Web bundles (gzip -9 of dist/web): ${parts.join(", ")}.`;
}
