import { execFileSync } from "node:child_process";
import path from "node:path";

/** Builds the browser bundles into dist/web (as `npm run build` does): the pages under test load them. */
export function buildWebBundles(): void {
  execFileSync(process.execPath, [path.join(__dirname, "..", "..", "scripts", "build-web.mjs")], {
    stdio: ["ignore", "ignore", "inherit"],
  });
}
