import type { Knex } from "knex";
import type { Logger } from "pino";
import { nextRetryDelayMs, type RetryPolicy } from "./backoff";
import { claimDue, markDelivered, markFailed } from "./deliveries";
import { type SendOutcome, sendWebhook } from "./send";

export interface SenderSettings extends RetryPolicy {
  readonly allowPrivate: boolean;
  readonly timeoutMs: number;
  /** How often to look for due retries when nothing wakes the sender. */
  readonly pollMs: number;
  /** Deliveries in flight at once (each is the head of its own endpoint and stream). */
  readonly concurrency: number;
}

/** Sends queued deliveries at least once, in order per endpoint and stream, retrying with backoff. */
export function startWebhookSender(options: {
  readonly knex: Knex;
  readonly logger: Logger;
  readonly settings: SenderSettings;
  /** Called for every attempt (metrics). */
  readonly onAttempt?: (outcome: "delivered" | "failed" | "dead") => void;
}): { wake(): void; stop(): Promise<void> } {
  const { knex, logger, settings } = options;
  let stopped = false;
  let wakeUp: (() => void) | null = null;
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  async function attempt(delivery: Awaited<ReturnType<typeof claimDue>>[number]): Promise<void> {
    let outcome: SendOutcome;
    try {
      outcome = await sendWebhook(
        delivery,
        { id: delivery.id, body: delivery.body },
        { allowPrivate: settings.allowPrivate, timeoutMs: settings.timeoutMs, now: new Date() },
      );
    } catch (err) {
      outcome = { ok: false, status: null, error: (err as Error).message };
    }
    if (outcome.ok) {
      await markDelivered(knex, delivery.id, outcome.status);
      options.onAttempt?.("delivered");
      return;
    }
    const retryIn = nextRetryDelayMs(settings, delivery.attempts + 1, Math.random());
    await markFailed(knex, delivery.id, outcome, retryIn);
    options.onAttempt?.(retryIn === null ? "dead" : "failed");
    if (retryIn === null) {
      logger.warn(
        { delivery: delivery.id, endpoint: delivery.endpoint_id },
        "webhook delivery dead-lettered",
      );
    }
  }

  const done = (async () => {
    while (!stopped) {
      try {
        // A lease longer than one attempt can take: a delivery is never sent twice at once.
        const due = await claimDue(knex, settings.concurrency, settings.timeoutMs * 2 + 5000);
        await Promise.all(due.map(attempt));
        if (due.length === 0) await sleep(settings.pollMs);
      } catch (err) {
        if (stopped) break;
        logger.error({ err }, "webhook sender failed; trying again");
        await sleep(settings.pollMs);
      }
    }
  })();

  return {
    wake() {
      wakeUp?.();
    },
    async stop() {
      stopped = true;
      wakeUp?.();
      await done;
    },
  };
}
