import type { IncomingMessage } from "node:http";

/** TRUST_PROXY as the config reads it: off, every proxy, a hop count, or the proxies' addresses. */
export type TrustProxy = boolean | number | string[] | undefined;

const strip = (ip: string) => (ip.startsWith("::ffff:") ? ip.slice(7) : ip);

/**
 * The client address a handshake comes from, believing X-Forwarded-For only as far as TRUST_PROXY says — the
 * same rule as the HTTP side (express's "trust proxy"): walk from the socket's peer outwards while the
 * address is a trusted proxy. Without it, everyone behind a load balancer would share one per-IP limit.
 */
export function clientIp(req: IncomingMessage, trust: TrustProxy): string {
  const peer = strip(req.socket.remoteAddress ?? "unknown");
  if (trust === undefined || trust === false) return peer;
  const header = req.headers["x-forwarded-for"];
  const forwarded = (Array.isArray(header) ? header.join(",") : (header ?? ""))
    .split(",")
    .map((s) => strip(s.trim()))
    .filter((s) => s !== "");
  // Nearest first: the peer, then the forwarded addresses from right to left.
  const hops = [peer, ...forwarded.reverse()];
  if (trust === true) return hops.at(-1) as string;
  if (typeof trust === "number") return hops[Math.min(trust, hops.length - 1)] as string;
  let i = 0;
  while (i < hops.length - 1 && trust.includes(hops[i] as string)) i++;
  return hops[i] as string;
}
