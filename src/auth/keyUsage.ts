import type { Knex } from "knex";
import type { Logger } from "pino";

/** Staff keys' `last_used_at` is worth a write at most this often per key. */
export const KEY_USAGE_INTERVAL_MS = 60_000;

/**
 * Decides, per key, whether a use is worth recording: the first use, then one per interval. Pure over the clock
 * it is given, so the throttle is tested without a database.
 */
export function createUsageThrottle(intervalMs = KEY_USAGE_INTERVAL_MS) {
  const lastRecorded = new Map<string, number>();
  return {
    shouldRecord(keyId: string, nowMs: number): boolean {
      const last = lastRecorded.get(keyId);
      if (last !== undefined && nowMs - last < intervalMs) return false;
      lastRecorded.set(keyId, nowMs);
      return true;
    },
  };
}

export interface KeyUsageRecorder {
  /** Notes that a key was used; returns at once, the write happens in the background. */
  record(keyId: string): void;
  /** Resolves when the writes started so far have finished (for shutdown and tests). */
  flush(): Promise<void>;
}

/**
 * Records `staff_api_keys.last_used_at` off the request's path: a throttled, fire-and-forget UPDATE whose failure
 * is logged, never thrown, so a slow or failing write cannot slow or fail the request that used the key. The SQL
 * repeats the throttle so several API instances together still write about once per interval per key.
 */
export function createKeyUsageRecorder(
  knex: Knex,
  logger: Logger,
  options: { intervalMs?: number; now?: () => number } = {},
): KeyUsageRecorder {
  const intervalMs = options.intervalMs ?? KEY_USAGE_INTERVAL_MS;
  const now = options.now ?? Date.now;
  const throttle = createUsageThrottle(intervalMs);
  const inFlight = new Set<Promise<void>>();
  return {
    record(keyId) {
      const at = now();
      if (!throttle.shouldRecord(keyId, at)) return;
      const write = knex
        .table("staff_api_keys")
        .where({ id: keyId })
        // A second of slack, so this instance's own next write (one interval later) is not refused.
        .where((q) =>
          q.whereNull("last_used_at").orWhere("last_used_at", "<", new Date(at - intervalMs + 1000)),
        )
        .update({ last_used_at: new Date(at) })
        .then(
          () => undefined,
          (err: unknown) => logger.warn({ err, keyId }, "could not record a staff key's last use"),
        )
        .finally(() => inFlight.delete(write));
      inFlight.add(write);
    },
    async flush() {
      await Promise.all([...inFlight]);
    },
  };
}
