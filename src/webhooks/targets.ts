import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { isIP } from "node:net";
import ipaddr from "ipaddr.js";

/** A webhook URL that may not be called: the reason names what is wrong, never the resolved address. */
export class WebhookTargetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "WebhookTargetError";
  }
}

/**
 * Whether an address is on the public internet. Loopback, private (RFC 1918, ULA), link-local (cloud metadata at
 * 169.254.169.254), carrier-grade NAT, multicast, reserved and the IPv6 ranges that embed IPv4 are not.
 */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === "ipv6" && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) {
    parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  }
  return parsed.range() === "unicast";
}

/** The checks a URL passes before it is registered: http(s), no credentials, a host. */
export function parseTargetUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new WebhookTargetError("must be an absolute http or https URL");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new WebhookTargetError("must be an http or https URL");
  }
  if (url.username !== "" || url.password !== "")
    throw new WebhookTargetError("must not contain credentials");
  return url;
}

const bareHost = (url: URL) => url.hostname.replace(/^\[(.*)\]$/, "$1");

/** Resolves a host the way a connection would, refusing it if any address is not public (unless allowed). */
export async function checkTarget(url: URL, allowPrivate: boolean): Promise<void> {
  if (allowPrivate) return;
  const host = bareHost(url);
  const addresses =
    isIP(host) !== 0
      ? [host]
      : await new Promise<string[]>((resolve, reject) =>
          dnsLookup(host, { all: true }, (err, found) =>
            err
              ? reject(new WebhookTargetError("host does not resolve"))
              : resolve(found.map((a) => a.address)),
          ),
        );
  if (addresses.length === 0 || !addresses.every(isPublicAddress)) {
    throw new WebhookTargetError(
      "must be a public address (private, loopback and link-local targets need WEBHOOK_ALLOW_PRIVATE=true)",
    );
  }
}

type LookupCallback = (
  err: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/**
 * A `lookup` for http.request that refuses private addresses at connect time, so a name that resolved to a
 * public address at registration cannot be pointed at the internal network later (DNS rebinding).
 */
export function guardedLookup(allowPrivate: boolean) {
  return (hostname: string, options: { all?: boolean; family?: number }, callback: LookupCallback): void => {
    dnsLookup(hostname, { family: options.family ?? 0, all: true }, (err, addresses) => {
      if (err) return callback(err, []);
      const allowed = allowPrivate ? addresses : addresses.filter((a) => isPublicAddress(a.address));
      const first = allowed[0];
      if (first === undefined || allowed.length !== addresses.length) {
        return callback(new WebhookTargetError("the target resolves to a non-public address"), []);
      }
      if (options.all) return callback(null, allowed);
      callback(null, first.address, first.family);
    });
  };
}
