/**
 * Bounded retries for transient API failures: 429 (honouring Retry-After), 5xx, dropped connections.
 * Permanent failures (400, 401, 403, 404, 409, 422) are thrown at once with the server's message.
 */
import { ApiError } from "./http";

/** How many times and how long to retry. */
export interface RetryPolicy {
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Called before each retry, e.g. to report it. */
  onRetry?: (err: ApiError, attempt: number, delayMs: number) => void;
}

/** The default: 6 attempts, 250 ms doubling up to 5 s. */
export const DEFAULT_RETRY: RetryPolicy = { attempts: 6, baseDelayMs: 250, maxDelayMs: 5_000 };

/** True for failures worth another try. */
export function isTransient(err: unknown): err is ApiError {
  if (!(err instanceof ApiError)) return false;
  return err.code === 0 || err.code === 429 || err.code >= 500;
}

/** Runs `fn`, retrying transient failures with exponential backoff. */
export async function withRetry<T>(fn: () => Promise<T>, policy: RetryPolicy = DEFAULT_RETRY): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!isTransient(err) || attempt >= policy.attempts) throw err;
      const backoff = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
      const delay =
        err.retryAfterSeconds !== undefined ? Math.min(err.retryAfterSeconds * 1000, 30_000) : backoff;
      policy.onRetry?.(err, attempt, delay);
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}
