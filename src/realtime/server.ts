import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import type { Gauge } from "prom-client";
import { WebSocketServer } from "ws";
import { negotiateLanguage } from "../i18n";
import { clientIp, type TrustProxy } from "./clientIp";
import { type Connection, handleConnection } from "./connection";
import type { RealtimeContext } from "./context";
import type { Endpoint } from "./credentials";
import { createCounter } from "./limits";

export const realtimePaths: Record<string, Endpoint> = {
  "/api/oss-chat/ws": "visitor",
  "/api/agent/ws": "agent",
};

/** Query parameters that look like a credential: refused, so no client gets used to leaking them into logs. */
const CREDENTIAL_PARAMS = ["token", "staff_key", "browser_uuid", "key", "access_token", "authorization"];

export interface RealtimeServerOptions {
  /** Origins allowed besides the page's own (CORS_ORIGINS); "*" allows any. */
  readonly corsOrigins: readonly string[] | "*";
  readonly openSockets: Gauge<"endpoint">;
  /** TRUST_PROXY: whose X-Forwarded-For to believe for the per-IP limit. */
  readonly trustProxy: TrustProxy;
}

function refuse(socket: Duplex, status: number, text: string) {
  socket.end(
    `HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: application/json\r\n\r\n${JSON.stringify({ error: text })}`,
  );
}

/**
 * Browsers always send Origin on a WebSocket handshake, and cookies or not, a page from another site must not
 * open a socket here: the page's own origin and CORS_ORIGINS are allowed. No Origin: not a browser.
 */
export function originAllowed(req: IncomingMessage, allowed: readonly string[] | "*"): boolean {
  const origin = req.headers.origin;
  if (origin === undefined || allowed === "*") return true;
  if (allowed.includes(origin)) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

/** Serves the real-time endpoints on the API's HTTP server; `stop` closes every socket with 1001. */
export function attachRealtime(server: Server, ctx: RealtimeContext, options: RealtimeServerOptions) {
  const { settings } = ctx;
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: settings.maxFrameBytes,
    // Compression costs hundreds of kB per socket; frames here are small.
    perMessageDeflate: false,
    clientTracking: false,
  });
  const perIp = createCounter(settings.maxSocketsPerIp);
  const connections = new Set<Connection>();
  let stopping = false;

  function onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer) {
    socket.on("error", () => socket.destroy());
    let url: URL;
    try {
      url = new URL(req.url ?? "/", "http://localhost");
    } catch {
      return refuse(socket, 400, "Bad Request");
    }
    const endpoint = realtimePaths[url.pathname];
    if (endpoint === undefined) return refuse(socket, 404, "Not Found");
    if (stopping) return refuse(socket, 503, "Service Unavailable");
    if (CREDENTIAL_PARAMS.some((p) => url.searchParams.has(p))) {
      return refuse(socket, 400, "Bad Request: send credentials in the auth frame, never in the URL");
    }
    if (!originAllowed(req, options.corsOrigins)) return refuse(socket, 403, "Forbidden");
    const ip = clientIp(req, options.trustProxy);
    if (socket.destroyed) return; // the client hung up already
    if (!perIp.tryAdd(ip)) return refuse(socket, 429, "Too Many Requests");
    // The slot is the TCP socket's, released when it closes, whatever happens: ws refuses a bad handshake (or one
    // whose client hung up) by closing the socket without calling back, and an open WebSocket closes it last.
    socket.once("close", () => perIp.release(ip));
    wss.handleUpgrade(req, socket, head, (ws) => {
      options.openSockets.inc({ endpoint });
      const language = negotiateLanguage(req.headers["accept-language"]);
      const connection = handleConnection(
        ctx,
        ws,
        endpoint,
        () => {
          options.openSockets.dec({ endpoint });
          connections.delete(connection);
        },
        language,
      );
      connections.add(connection);
    });
  }
  // Attached before the server listens (see startService): an upgrade never meets the HTTP app's 404.
  server.on("upgrade", onUpgrade);

  const heartbeat = setInterval(() => {
    for (const c of connections) c.heartbeat();
  }, settings.heartbeatMs);
  heartbeat.unref();

  return {
    openConnections: () => connections.size,
    /** Closes every socket with 1001 (clients reconnect elsewhere) and waits for them, up to `graceMs`. */
    async stop(graceMs = 3000) {
      stopping = true;
      clearInterval(heartbeat);
      for (const c of connections) c.goAway();
      const deadline = Date.now() + graceMs;
      while (connections.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      // The handler stays until the HTTP server is closed: without one, Node hands an upgrade to the HTTP app,
      // which answers 404. A stopping instance answers 503, and clients try another.
      wss.close();
    },
  };
}
