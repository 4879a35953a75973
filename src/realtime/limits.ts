/** A token bucket: `rate` tokens a second, up to `burst`; `now` is passed in so the logic stays pure. */
export function createTokenBucket(rate: number, burst: number, now: () => number) {
  let tokens = burst;
  let at = now();
  return {
    /** Takes a token if there is one. */
    take(): boolean {
      const t = now();
      tokens = Math.min(burst, tokens + ((t - at) / 1000) * rate);
      at = t;
      if (tokens < 1) return false;
      tokens -= 1;
      return true;
    },
  };
}

/** Counts open sockets per key (IP address, credential) against a maximum. */
export function createCounter(max: number) {
  const counts = new Map<string, number>();
  return {
    /** Counts one more under `key` if that stays within the maximum. */
    tryAdd(key: string): boolean {
      const n = counts.get(key) ?? 0;
      if (n >= max) return false;
      counts.set(key, n + 1);
      return true;
    },
    release(key: string) {
      const n = (counts.get(key) ?? 0) - 1;
      if (n <= 0) counts.delete(key);
      else counts.set(key, n);
    },
    count: (key: string) => counts.get(key) ?? 0,
  };
}
