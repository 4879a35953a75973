import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";

/**
 * The browser bundles' sizes as a visitor downloads them: `npm run build`'s esbuild step (dist/web), each entry
 * gzipped at level 9, in kB (1000 bytes). Keys: `widget_js_gzip_kb` (budget 60), `console_js_gzip_kb` (150).
 */
export function webBundleSizes(log: (msg: string) => void): Record<string, number> {
  const root = path.join(__dirname, "..");
  execFileSync(process.execPath, [path.join(root, "scripts", "build-web.mjs")], { stdio: "ignore" });
  const dir = path.join(root, "dist", "web");
  const manifest = JSON.parse(readFileSync(path.join(dir, "manifest.json"), "utf8")) as Record<
    string,
    string
  >;
  const sizes: Record<string, number> = {};
  for (const [name, file] of Object.entries(manifest)) {
    const gz = gzipSync(readFileSync(path.join(dir, file)), { level: 9 }).length;
    sizes[`${name}_js_gzip_kb`] = Math.round(gz / 100) / 10;
    log(`${file}: ${(gz / 1000).toFixed(1)} kB gzipped`);
  }
  return sizes;
}
