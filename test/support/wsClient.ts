import net from "node:net";
import WebSocket from "ws";

export interface TestSocket {
  readonly ws: WebSocket;
  readonly frames: any[];
  send(frame: unknown): void;
  /** Resolves with the first frame (already received or to come) that matches. */
  next(match: (frame: any) => boolean, timeoutMs?: number): Promise<any>;
  /** Resolves with the close code. */
  readonly closed: Promise<{ code: number; reason: string }>;
  close(): void;
}

/** Opens a socket to `path` of the service at `baseUrl` (http://…) and records every frame it receives. */
export function openSocket(baseUrl: string, path: string, headers: Record<string, string> = {}): TestSocket {
  const ws = new WebSocket(`${baseUrl.replace(/^http/, "ws")}${path}`, { headers });
  const frames: any[] = [];
  const waiters: { match: (f: any) => boolean; resolve: (f: any) => void }[] = [];
  ws.on("message", (data) => {
    const frame = JSON.parse(data.toString());
    frames.push(frame);
    for (const w of [...waiters]) {
      if (w.match(frame)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(frame);
      }
    }
  });
  ws.on("error", () => undefined);
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on("close", (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  const opened = new Promise<void>((resolve) => ws.once("open", () => resolve()));
  return {
    ws,
    frames,
    send(frame) {
      const text = typeof frame === "string" ? frame : JSON.stringify(frame);
      void opened.then(() => ws.send(text));
    },
    next(match, timeoutMs = 5000) {
      const found = frames.find(match);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no matching frame in ${timeoutMs} ms; got ${JSON.stringify(frames)}`)),
          timeoutMs,
        );
        waiters.push({
          match,
          resolve: (f) => {
            clearTimeout(timer);
            resolve(f);
          },
        });
      });
    },
    closed,
    close: () => ws.close(),
  };
}

/** A socket that authenticated with `auth` and got `ready`. */
export async function readySocket(baseUrl: string, path: string, auth: Record<string, string>) {
  const socket = openSocket(baseUrl, path);
  socket.send({ type: "auth", ...auth });
  await socket.next((f) => f.type === "ready");
  return socket;
}

/** A client-to-server text frame, masked as the protocol requires (payloads under 126 bytes). */
export function maskedTextFrame(text: string): Buffer {
  const payload = Buffer.from(text);
  if (payload.length >= 126) throw new Error("maskedTextFrame: payload too long");
  const mask = Buffer.from([1, 2, 3, 4]);
  const masked = Buffer.from(payload.map((b, i) => b ^ (mask[i % 4] as number)));
  return Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask, masked]);
}

/** A bare TCP connection that did the WebSocket handshake on `path`: a client that can misbehave. */
export async function rawSocket(baseUrl: string, path: string): Promise<net.Socket> {
  const socket = net.connect(Number(new URL(baseUrl).port), "127.0.0.1");
  await new Promise((r) => socket.once("connect", r));
  socket.write(
    `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
  );
  return socket;
}
