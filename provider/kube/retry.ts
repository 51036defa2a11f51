/**
 * Bounded retries for transient API failures (see {@link isRetryable}: 429 honouring Retry-After, 5xx, broken
 * connections), with jittered exponential backoff. Terminal failures (TLS, 401, 403, 404, 409, 422, ...) are
 * thrown at once with the server's message. The clock is injected so tests of retrying code need not sleep.
 */
import { isRetryable, type ApiError } from "./errors";

/** How many times and how long to retry. */
export interface RetryPolicy {
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Called before each retry, e.g. to report it. */
  onRetry?: (err: ApiError, attempt: number, delayMs: number) => void;
  /** Waits `ms` milliseconds (default: a timer). */
  sleep?: (ms: number) => Promise<void>;
  /** A number in [0, 1) for jitter (default Math.random). */
  random?: () => number;
}

/** The default: 6 attempts, 250 ms doubling up to 5 s, each delay jittered by up to +50 %. */
export const DEFAULT_RETRY: RetryPolicy = { attempts: 6, baseDelayMs: 250, maxDelayMs: 5_000 };

/** Longest Retry-After the provider honours. */
const MAX_RETRY_AFTER_MS = 30_000;

/** A timer-based sleep that does not keep the process alive. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/** The delay before retry `attempt` (1-based) of `err` under `policy`. */
export function retryDelay(err: ApiError, attempt: number, policy: RetryPolicy): number {
  if (err.retryAfterSeconds !== undefined) return Math.min(err.retryAfterSeconds * 1000, MAX_RETRY_AFTER_MS);
  const backoff = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(backoff * (1 + 0.5 * (policy.random ?? Math.random)()));
}

/**
 * Runs `fn`, retrying retryable failures with backoff. `beforeRetry` (for calls that are not idempotent)
 * runs before each new attempt and may end the retries with a result: "the earlier attempt took effect".
 */
export async function withRetry<T>(
  fn: () => Promise<T>,
  policy: RetryPolicy = DEFAULT_RETRY,
  beforeRetry?: (err: ApiError) => Promise<{ done: true; value: T } | { done: false }>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!isRetryable(err) || attempt >= policy.attempts) throw err;
      const delay = retryDelay(err, attempt, policy);
      policy.onRetry?.(err, attempt, delay);
      await (policy.sleep ?? sleep)(delay);
      if (beforeRetry) {
        const earlier = await beforeRetry(err);
        if (earlier.done) return earlier.value;
      }
    }
  }
}
