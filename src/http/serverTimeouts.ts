import type { Server } from "node:http";
import type { Socket } from "node:net";

export interface ServerTimeouts {
  /** A whole request must arrive within this (REQUEST_TIMEOUT_MS). */
  readonly requestTimeoutMs: number;
  /** How long an idle keep-alive connection is kept, as `Keep-Alive: timeout=…` tells clients (HTTP_KEEP_ALIVE_TIMEOUT_MS). */
  readonly keepAliveTimeoutMs: number;
  /** Kept open this much longer than advertised before it is closed (HTTP_KEEP_ALIVE_GRACE_MS). */
  readonly keepAliveGraceMs: number;
}

/**
 * The API server's timeouts. Node advertises `Keep-Alive: timeout=N` and destroys an idle connection shortly
 * after N (1 s after, on Node 20.20); clients reuse a connection until a little before N (Node's fetch, undici,
 * until N − 2 s). On a loaded machine a process can stall for seconds: when it runs again, a client's decision to
 * reuse the connection (its request written) and the server's keep-alive timer fall in the same turn of the
 * event loop, the timer runs before the socket is read, the socket is destroyed with the request unread, and the
 * client gets `read ECONNRESET` for a request the server never saw (the CI failure of issue 18). So the
 * advertised time is long (above the 60 s idle timeout of common proxies and load balancers, so they close
 * first), and an idle socket whose timer fired gets a grace period more: a request that arrives in it is served.
 */
export function applyServerTimeouts(server: Server, timeouts: ServerTimeouts): void {
  server.requestTimeout = timeouts.requestTimeoutMs;
  // Headers are a part of the request: never allowed longer than the whole of it (Node's own rule at creation).
  server.headersTimeout = Math.min(server.headersTimeout, timeouts.requestTimeoutMs);
  server.keepAliveTimeout = timeouts.keepAliveTimeoutMs;
  if (timeouts.keepAliveGraceMs <= 0) return;
  /** Idle sockets in their grace period, and the request count they had when it began. */
  const graced = new WeakMap<Socket, number>();
  const requests = new WeakMap<Socket, number>();
  server.on("request", (req) => requests.set(req.socket, (requests.get(req.socket) ?? 0) + 1));
  // With a listener here Node does not destroy a socket whose timeout fired: this decides. The only socket
  // timeout the server sets is the keep-alive one (server.timeout is 0; upgraded sockets have left the server).
  server.on("timeout", (socket: Socket) => {
    const served = requests.get(socket) ?? 0;
    const since = graced.get(socket);
    if (since === undefined || since !== served) {
      graced.set(socket, served);
      // Node clears this timeout as soon as the next request arrives, and sets it again once it is answered.
      socket.setTimeout(timeouts.keepAliveGraceMs);
      return;
    }
    socket.destroy();
  });
}
