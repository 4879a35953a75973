import { execFile } from "node:child_process";
import path from "node:path";

const root = path.resolve(__dirname, "../..");

/** Runs `livechat <args…>` from the sources to completion, as ops would, against the database at `url`. */
export function runCli(
  url: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      path.join(root, "node_modules/.bin/tsx"),
      ["src/cli.ts", ...args],
      { cwd: root, env: { ...process.env, DATABASE_URL: url, LOG_LEVEL: "silent", ...env } },
      (err, stdout, stderr) => resolve({ code: err ? Number(err.code) : 0, stdout, stderr }),
    );
  });
}
