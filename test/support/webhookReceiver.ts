import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";

export interface ReceivedMessage {
  readonly path: string;
  readonly id: string;
  readonly timestamp: number;
  readonly body: { type: string; timestamp: string; data: Record<string, unknown> };
  readonly raw: string;
}

/**
 * A webhook consumer as a customer would write one: verifies every request with the Standard Webhooks reference
 * library and the endpoint's secret, answers with the status set for its path (200 unless told otherwise), and
 * can go down and come back on the same port.
 */
export class WebhookReceiver {
  readonly messages: ReceivedMessage[] = [];
  /** Requests whose signature did not verify (must stay 0). */
  forged = 0;
  readonly statusFor = new Map<string, number>();
  private readonly secrets = new Map<string, string>();
  private server: Server | null = null;
  port = 0;

  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  secretFor(path: string, secret: string): void {
    this.secrets.set(path, secret);
  }

  on(path: string): ReceivedMessage[] {
    return this.messages.filter((m) => m.path === path);
  }

  async start(port = 0): Promise<void> {
    const server = createServer((req, res) => {
      let raw = "";
      req.on("data", (chunk) => {
        raw += String(chunk);
      });
      req.on("end", () => {
        const path = req.url ?? "/";
        const status = this.statusFor.get(path) ?? 200;
        const secret = this.secrets.get(path);
        if (status >= 300 || secret === undefined) {
          res.statusCode = secret === undefined ? 404 : status;
          res.end();
          return;
        }
        try {
          new Webhook(secret).verify(raw, headersOf(req.headers));
        } catch {
          this.forged += 1;
          res.statusCode = 401;
          res.end();
          return;
        }
        this.messages.push({
          path,
          id: String(req.headers["webhook-id"]),
          timestamp: Number(req.headers["webhook-timestamp"]),
          body: JSON.parse(raw),
          raw,
        });
        res.statusCode = 204;
        res.end();
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", resolve);
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
  }

  /** Goes down: the port refuses connections until start(port) again. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

function headersOf(h: IncomingHttpHeaders): Record<string, string> {
  return {
    "webhook-id": String(h["webhook-id"] ?? ""),
    "webhook-timestamp": String(h["webhook-timestamp"] ?? ""),
    "webhook-signature": String(h["webhook-signature"] ?? ""),
  };
}
