import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { Webhook } from "standardwebhooks";
import { guardedLookup, isPublicAddress, WebhookTargetError } from "./targets";

/** What one attempt came to: a 2xx is delivered; anything else, or no answer, is retried. */
export type SendOutcome = { ok: true; status: number } | { ok: false; status: number | null; error: string };

/** The Standard Webhooks headers of a message: id, Unix seconds, and the `v1,` HMAC-SHA256 signature. */
export function signedHeaders(
  secret: string,
  messageId: string,
  body: string,
  at: Date,
): Record<string, string> {
  return {
    "webhook-id": messageId,
    "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
    "webhook-signature": new Webhook(secret).sign(messageId, at, body),
  };
}

/**
 * POSTs one signed message. Redirects are not followed (a redirect could point inside the network) and the
 * connection's address is checked when it is resolved, not only when the URL was registered.
 */
export function sendWebhook(
  target: { url: string; secret: string },
  message: { id: string; body: string },
  options: { allowPrivate: boolean; timeoutMs: number; now: Date },
): Promise<SendOutcome> {
  const url = new URL(target.url);
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  if (!options.allowPrivate && /^[\d.]+$|:/.test(host) && !isPublicAddress(host)) {
    return Promise.resolve({
      ok: false,
      status: null,
      error: new WebhookTargetError("non-public address").message,
    });
  }
  const request = url.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    const req = request(
      url,
      {
        method: "POST",
        lookup: guardedLookup(options.allowPrivate) as never,
        timeout: options.timeoutMs,
        headers: {
          "content-type": "application/json",
          "user-agent": "oss-livechat-webhooks/1",
          ...signedHeaders(target.secret, message.id, message.body, options.now),
        },
      },
      (res) => {
        res.resume(); // the answer's body is not needed; drain it so the socket is freed
        const status = res.statusCode ?? 0;
        res.on("end", () =>
          resolve(
            status >= 200 && status < 300
              ? { ok: true, status }
              : { ok: false, status, error: `HTTP ${status}` },
          ),
        );
        res.on("error", (err) => resolve({ ok: false, status, error: err.message }));
      },
    );
    req.on("timeout", () => req.destroy(new Error(`no answer within ${options.timeoutMs} ms`)));
    req.on("error", (err) => resolve({ ok: false, status: null, error: err.message }));
    req.end(message.body);
  });
}
