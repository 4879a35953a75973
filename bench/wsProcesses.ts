/** Helpers of the real-time benchmark phase: API processes, their memory, sockets and a bounded HTTP client. */
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import path from "node:path";
import WebSocket from "ws";

const root = path.resolve(__dirname, "..");

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

export async function spawnApi(command: "start" | "api", databaseUrl: string) {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", "src/cli.ts", command], {
    cwd: root,
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      HOST: "127.0.0.1",
      LOG_LEVEL: "warn",
      RATE_LIMIT_PER_IP: "10000000",
      RATE_LIMIT_PER_IDENTITY: "10000000",
      WS_MAX_SOCKETS_PER_IP: "1000000",
      PROJECTOR_POLL_MS: "500",
    },
    stdio: ["ignore", "inherit", "inherit"],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`livechat ${command} exited with ${child.exitCode}`);
    if (
      await fetch(`${url}/healthz`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    if (i > 600) throw new Error(`livechat ${command} did not listen`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    pid: child.pid as number,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((r) => child.once("exit", () => r()));
      child.kill("SIGTERM");
      await exited;
    },
  };
}

export function rssMb(pid: number): number | null {
  try {
    const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
    return kb === undefined ? null : Number(kb) / 1024;
  } catch {
    return null;
  }
}

/** Opens a socket and authenticates it; resolves once `ready` arrives (or rejects). */
export function openReady(
  url: string,
  browserUuid: string,
  onFrame?: (f: any) => void,
  agentKey?: string,
): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const path = agentKey === undefined ? "/api/oss-chat/ws" : "/api/agent/ws";
    const auth = agentKey === undefined ? { browser_uuid: browserUuid } : { staff_key: agentKey };
    const ws = new WebSocket(`${url.replace(/^http/, "ws")}${path}`, { perMessageDeflate: false });
    const timer = setTimeout(() => reject(new Error("no ready")), 20_000);
    ws.on("open", () => ws.send(JSON.stringify({ type: "auth", ...auth })));
    ws.on("message", (data) => {
      const frame = JSON.parse(data.toString());
      if (frame.type === "ready") {
        clearTimeout(timer);
        resolve(ws);
      }
      onFrame?.(frame);
    });
    ws.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

/**
 * Posts JSON over a bounded pool of keep-alive connections: fetch would open a connection per request in
 * flight, and at 500/s the server's accept queue overflows (connect timeouts, resets) before the API is the limit.
 */
export const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
export function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const payload = JSON.stringify(body);
    const req = http.request(
      url,
      {
        method: "POST",
        agent,
        headers: {
          "content-type": "application/json",
          "content-length": Buffer.byteLength(payload),
          ...headers,
        },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk) => {
          text += chunk;
        });
        res.on("end", () => {
          try {
            resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) });
          } catch {
            resolve({ status: res.statusCode ?? 0, body: {} });
          }
        });
      },
    );
    req.on("error", reject);
    req.end(payload);
  });
}
