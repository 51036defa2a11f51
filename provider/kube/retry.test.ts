import { ApiError } from "./errors";
import { retryDelay, withRetry, type RetryPolicy } from "./retry";

/** A policy whose clock only records: no test sleeps. */
function recording(): RetryPolicy & { slept: number[] } {
  const slept: number[] = [];
  return {
    attempts: 4,
    baseDelayMs: 100,
    maxDelayMs: 1_000,
    random: () => 0,
    sleep: async (ms) => void slept.push(ms),
    slept,
  };
}

function failing(errors: Error[], value = "ok") {
  let calls = 0;
  const fn = async () => {
    const err = errors[calls++];
    if (err) throw err;
    return value;
  };
  return { fn, calls: () => calls };
}

describe("withRetry", () => {
  it("should retry retryable failures with doubling delays and return the value", async () => {
    const policy = recording();
    const { fn, calls } = failing([
      new ApiError(503, "ServiceUnavailable", "busy"),
      new ApiError(0, "ECONNRESET", "reset"),
    ]);
    await expect(withRetry(fn, policy)).resolves.toBe("ok");
    expect(calls()).toBe(3);
    expect(policy.slept).toEqual([100, 200]);
  });

  it("should honour Retry-After", async () => {
    const policy = recording();
    const { fn } = failing([new ApiError(429, "TooManyRequests", "slow down", 2)]);
    await withRetry(fn, policy);
    expect(policy.slept).toEqual([2_000]);
  });

  it("should throw terminal failures at once", async () => {
    const policy = recording();
    const { fn, calls } = failing([new ApiError(0, "CERT_HAS_EXPIRED", "expired")]);
    await expect(withRetry(fn, policy)).rejects.toThrow("expired");
    expect(calls()).toBe(1);
    expect(policy.slept).toEqual([]);
  });

  it("should give up after the last attempt", async () => {
    const policy = recording();
    const busy = () => new ApiError(500, "InternalError", "down");
    const { fn, calls } = failing([busy(), busy(), busy(), busy(), busy()]);
    await expect(withRetry(fn, policy)).rejects.toThrow("down");
    expect(calls()).toBe(4);
  });

  it("should ask, before another attempt of a call that is not idempotent, whether the last one took effect", async () => {
    const policy = recording();
    const { fn, calls } = failing([new ApiError(0, "ECONNRESET", "lost")]);
    const value = await withRetry(fn, policy, async () => ({ done: true, value: "took effect" }));
    expect(value).toBe("took effect");
    expect(calls()).toBe(1);
  });
});

describe("retryDelay", () => {
  it("should jitter by up to half the backoff and cap it", () => {
    const err = new ApiError(503, "ServiceUnavailable", "x");
    const policy = { attempts: 6, baseDelayMs: 100, maxDelayMs: 1_000 };
    expect(retryDelay(err, 1, { ...policy, random: () => 0 })).toBe(100);
    expect(retryDelay(err, 1, { ...policy, random: () => 0.999 })).toBe(150);
    expect(retryDelay(err, 10, { ...policy, random: () => 0 })).toBe(1_000);
  });
});
