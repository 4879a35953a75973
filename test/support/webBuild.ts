import { execFileSync } from "node:child_process";
import path from "node:path";

let built = false;

/** Builds the browser pages into dist/web (as `npm run build` does) once per test file; safe to run concurrently. */
export function ensureWebBuild(): void {
  if (built) return;
  execFileSync(process.execPath, [path.join(__dirname, "..", "..", "scripts", "build-web.mjs")], {
    stdio: "pipe",
  });
  built = true;
}
