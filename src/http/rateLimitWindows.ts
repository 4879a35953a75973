/** One key's window: the hits counted in it and when it ends (ms since the epoch). */
export interface FixedWindow {
  hits: number;
  resetAt: number;
}

/**
 * Hits per key in fixed windows, each starting at a key's first hit after the last one ended: how
 * express-rate-limit's MemoryStore counts, without its promises. A sweep every window drops the keys whose window
 * has ended, so memory holds only the keys seen in the last two windows.
 */
export interface FixedWindowCounter {
  /** Counts a hit on the key at `now`; the window it fell in (the same object until the window ends). */
  hit(key: string, now: number): FixedWindow;
  /** Forgets the keys whose window ended at or before `now`. */
  sweep(now: number): void;
  /** Keys held. */
  readonly size: number;
  /** Stops the sweep. */
  close(): void;
}

export function fixedWindowCounter(windowMs: number): FixedWindowCounter {
  const windows = new Map<string, FixedWindow>();
  const sweep = (now: number) => {
    for (const [key, window] of windows) if (window.resetAt <= now) windows.delete(key);
  };
  // unref: the sweep never keeps the process alive.
  const timer = setInterval(() => sweep(Date.now()), windowMs);
  timer.unref();
  return {
    hit(key, now) {
      const window = windows.get(key);
      if (window === undefined) {
        const fresh = { hits: 1, resetAt: now + windowMs };
        windows.set(key, fresh);
        return fresh;
      }
      if (window.resetAt <= now) {
        window.hits = 0;
        window.resetAt = now + windowMs;
      }
      window.hits++;
      return window;
    },
    sweep,
    get size() {
      return windows.size;
    },
    close: () => clearInterval(timer),
  };
}
