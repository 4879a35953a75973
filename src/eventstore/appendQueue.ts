/**
 * A per-process queue that coalesces concurrent appends into one call: what arrives while the queue waits (up
 * to `windowUs` microseconds after the first, or `maxAppends` appends), or while `maxInFlight` calls are on
 * their way, goes out together. `send` answers each item on its own — a value or an error — so one item's
 * failure (a conflict) fails only its own caller. Postgres commits concurrent transactions' WAL in one flush
 * (group commit); this does the same for the round trips and transactions themselves.
 */
export interface AppendQueueOptions {
  /** Most items in one call. */
  readonly maxAppends?: number;
  /** How long the first item of a call waits for others, in microseconds (0: only those of the same tick). */
  readonly windowUs?: number;
  /** Calls on their way at once; more items wait and go out together when one comes back. */
  readonly maxInFlight?: number;
}

export const APPEND_QUEUE_DEFAULTS = { maxAppends: 64, windowUs: 200, maxInFlight: 2 } as const;

export type Outcome<R> =
  | { readonly ok: true; readonly value: R }
  | { readonly ok: false; readonly error: unknown };

export interface AppendQueue<I, R> {
  add(item: I): Promise<R>;
  /** Calls sent so far and items they carried (for metrics and tests). */
  readonly stats: { calls: number; items: number; largest: number };
}

export function createAppendQueue<I, R>(
  send: (items: readonly I[]) => Promise<readonly Outcome<R>[]>,
  options: AppendQueueOptions = {},
): AppendQueue<I, R> {
  const maxAppends = Math.max(1, options.maxAppends ?? APPEND_QUEUE_DEFAULTS.maxAppends);
  const windowNs = BigInt(
    Math.max(0, Math.round((options.windowUs ?? APPEND_QUEUE_DEFAULTS.windowUs) * 1000)),
  );
  const maxInFlight = Math.max(1, options.maxInFlight ?? APPEND_QUEUE_DEFAULTS.maxInFlight);
  let waiting: { item: I; resolve: (r: R) => void; reject: (e: unknown) => void }[] = [];
  let firstAt = 0n;
  let scheduled = false;
  let inFlight = 0;
  const stats = { calls: 0, items: 0, largest: 0 };

  function schedule() {
    if (scheduled) return;
    scheduled = true;
    setImmediate(tick);
  }

  function tick() {
    scheduled = false;
    if (waiting.length === 0 || inFlight >= maxInFlight) return; // a call coming back ticks again
    const full = waiting.length >= maxAppends;
    if (!full && process.hrtime.bigint() - firstAt < windowNs) {
      schedule(); // the window is open: let the next turn of the event loop bring more
      return;
    }
    flush();
  }

  function flush() {
    const batch = waiting.slice(0, maxAppends);
    waiting = waiting.slice(batch.length);
    inFlight++;
    stats.calls++;
    stats.items += batch.length;
    stats.largest = Math.max(stats.largest, batch.length);
    send(batch.map((w) => w.item))
      .then(
        (outcomes) => {
          batch.forEach((w, i) => {
            const o = outcomes[i];
            if (!o) w.reject(new Error("the append batch returned no outcome for an append"));
            else if (o.ok) w.resolve(o.value);
            else w.reject(o.error);
          });
        },
        (err: unknown) => {
          for (const w of batch) w.reject(err);
        },
      )
      .finally(() => {
        inFlight--;
        if (waiting.length >= maxAppends) flush();
        else if (waiting.length > 0) schedule();
      });
  }

  return {
    stats,
    add(item: I): Promise<R> {
      return new Promise<R>((resolve, reject) => {
        if (waiting.length === 0) firstAt = process.hrtime.bigint();
        waiting.push({ item, resolve, reject });
        if (waiting.length >= maxAppends && inFlight < maxInFlight) flush();
        else schedule();
      });
    },
  };
}
