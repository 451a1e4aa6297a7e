import { DEFAULT_RETRY_POLICY, RetryPolicy, retryDelayMs, toRetryPolicy } from './retry-policy';

describe('toRetryPolicy', () => {
  it('uses the defaults when the rule sets no retry', () => {
    expect(toRetryPolicy(undefined)).toEqual({ attempts: 8, backoff: 'exponential', delayMs: 2_000, maxDelayMs: 3_600_000 });
    expect(toRetryPolicy({})).toEqual(DEFAULT_RETRY_POLICY);
  });

  it('reads delays written as durations', () => {
    expect(toRetryPolicy({ attempts: 3, backoff: 'fixed', delay: '2s', maxDelay: '1h' })).toEqual({
      attempts: 3,
      backoff: 'fixed',
      delayMs: 2_000,
      maxDelayMs: 3_600_000,
    });
  });

  it('reads delays written as milliseconds', () => {
    expect(toRetryPolicy({ delay: 500, maxDelay: 10_000 })).toMatchObject({ delayMs: 500, maxDelayMs: 10_000 });
  });

  it('keeps the defaults for the settings left out', () => {
    expect(toRetryPolicy({ delay: '250ms' })).toEqual({ ...DEFAULT_RETRY_POLICY, delayMs: 250 });
  });
});

describe('retryDelayMs', () => {
  const exponential: RetryPolicy = { attempts: 10, backoff: 'exponential', delayMs: 1_000, maxDelayMs: 10_000 };

  it('doubles the ceiling after every failed try', () => {
    const top = () => 1;

    expect([1, 2, 3, 4].map((attempt) => retryDelayMs(exponential, attempt, top))).toEqual([1_000, 2_000, 4_000, 8_000]);
  });

  it('caps the wait at maxDelay', () => {
    expect(retryDelayMs(exponential, 5, () => 1)).toBe(10_000);
    expect(retryDelayMs(exponential, 60, () => 1)).toBe(10_000);
  });

  it('picks a wait uniformly below the ceiling (full jitter)', () => {
    expect(retryDelayMs(exponential, 3, () => 0.5)).toBe(2_000);
    expect(retryDelayMs(exponential, 3, () => 0)).toBe(0);
  });

  it('treats an attempt number below one as the first', () => {
    expect(retryDelayMs(exponential, 0, () => 1)).toBe(1_000);
  });

  it('waits the same delay every time with fixed backoff, ignoring jitter', () => {
    const fixed: RetryPolicy = { attempts: 5, backoff: 'fixed', delayMs: 3_000, maxDelayMs: 60_000 };

    expect([1, 2, 7].map((attempt) => retryDelayMs(fixed, attempt, () => 0.5))).toEqual([3_000, 3_000, 3_000]);
  });

  it('caps a fixed delay at maxDelay', () => {
    expect(retryDelayMs({ attempts: 5, backoff: 'fixed', delayMs: 90_000, maxDelayMs: 60_000 }, 1, () => 1)).toBe(60_000);
  });
});
