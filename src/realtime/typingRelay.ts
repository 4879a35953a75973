import { Client } from "pg";
import type { Logger } from "pino";
import { z } from "zod";
import type { Side } from "./hub";

const CHANNEL = "livechat_typing";
const payload = z.object({ s: z.uuid(), a: z.enum(["visitor", "agent"]) });

export interface TypingRelay {
  /** Announces a typing signal to every API instance (this one included). */
  publish(sessionId: string, author: Side): void;
  stop(): Promise<void>;
}

/**
 * Typing signals are not stored: they cross API instances through Postgres NOTIFY (small, lossy by nature,
 * which suits a signal that is repeated while someone types). The listening connection reconnects if dropped.
 */
export async function startTypingRelay(options: {
  connectionString: string;
  logger: Logger;
  onTyping: (sessionId: string, author: Side) => void;
}): Promise<TypingRelay> {
  let stopped = false;
  let listener: Client | null = null;
  const notifier = new Client({ connectionString: options.connectionString });
  notifier.on("error", (err) => options.logger.warn({ err }, "typing relay notify connection error"));
  await notifier.connect();

  async function listen(): Promise<void> {
    const client = new Client({ connectionString: options.connectionString });
    client.on("notification", (msg) => {
      let data: unknown = null;
      try {
        data = JSON.parse(msg.payload ?? "null");
      } catch {
        return; // anyone can NOTIFY on the channel: what is not ours is ignored
      }
      const parsed = payload.safeParse(data);
      if (parsed.success) options.onTyping(parsed.data.s, parsed.data.a);
    });
    client.on("error", (err) => {
      options.logger.warn({ err }, "typing relay listen connection error; reconnecting");
      client.end().catch(() => undefined);
      if (!stopped) setTimeout(() => void listen().catch(() => undefined), 1000).unref();
    });
    await client.connect();
    await client.query(`LISTEN ${CHANNEL}`);
    listener = client;
  }
  await listen();

  return {
    publish(sessionId, author) {
      notifier
        .query("SELECT pg_notify($1, $2)", [CHANNEL, JSON.stringify({ s: sessionId, a: author })])
        .catch((err) => options.logger.warn({ err }, "typing signal not relayed"));
    },
    async stop() {
      stopped = true;
      await Promise.all([listener?.end(), notifier.end()].map((p) => p?.catch(() => undefined)));
    },
  };
}
