/** How deliveries are retried: exponential backoff from `baseMs`, capped at `maxMs`, at most `maxAttempts`. */
export interface RetryPolicy {
  readonly maxAttempts: number;
  readonly baseMs: number;
  readonly maxMs: number;
}

/**
 * The wait before the next try after `attempts` failed ones: base · 2^(attempts−1), capped, with up to 20%
 * jitter (`random` in [0, 1)) so receivers coming back from an outage are not hit by every sender at once.
 * Null when the delivery is out of attempts and becomes a dead letter.
 */
export function nextRetryDelayMs(policy: RetryPolicy, attempts: number, random: number): number | null {
  if (attempts >= policy.maxAttempts) return null;
  const exponential = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempts - 1));
  return Math.round(exponential * (1 + 0.2 * random));
}
