import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";

export interface ServerProcess {
  readonly url: string;
  readonly pid: number;
  stop(): Promise<void>;
}

/** Starts bench/serve.ts in its own process (the product or the CRUD baseline) and waits until it listens. */
export async function spawnServer(
  mode: "es" | "crud",
  databaseUrl: string,
  secret: string,
  opts: { nodeArgs?: readonly string[]; env?: Record<string, string> } = {},
): Promise<ServerProcess> {
  const child: ChildProcess = spawn(
    process.execPath,
    [...(opts.nodeArgs ?? []), "--import", "tsx", path.join(__dirname, "serve.ts"), mode, databaseUrl],
    {
      env: { ...process.env, ...opts.env, OSS_IDENTITY_SECRET: secret },
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const ready = /READY (\S+)/.exec(out);
      if (ready?.[1]) resolve(ready[1]);
    });
    child.once("exit", (code) => reject(new Error(`${mode} server exited with ${code} before listening`)));
  });
  return {
    url,
    pid: child.pid ?? 0,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      child.kill("SIGTERM");
      await exited;
    },
  };
}
