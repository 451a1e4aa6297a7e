import { parseDuration } from '@hookflow/config';
import { RetryPolicyDefinition } from './rule-definitions';

/** How a failed step is retried. `attempts` counts every try, the first included. */
export interface RetryPolicy {
  attempts: number;
  backoff: 'exponential' | 'fixed';
  delayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { attempts: 8, backoff: 'exponential', delayMs: 2_000, maxDelayMs: 3_600_000 };

export function toRetryPolicy(definition: RetryPolicyDefinition | undefined): RetryPolicy {
  return {
    attempts: definition?.attempts ?? DEFAULT_RETRY_POLICY.attempts,
    backoff: definition?.backoff ?? DEFAULT_RETRY_POLICY.backoff,
    delayMs: parseDuration(definition?.delay ?? '') ?? DEFAULT_RETRY_POLICY.delayMs,
    maxDelayMs: parseDuration(definition?.maxDelay ?? '') ?? DEFAULT_RETRY_POLICY.maxDelayMs,
  };
}

/**
 * The wait before the try after `failedAttempt` (1-based). Exponential backoff uses full jitter
 * (a uniform wait up to the capped exponential), so many runs failing together do not retry in step.
 */
export function retryDelayMs(policy: RetryPolicy, failedAttempt: number, random: () => number = Math.random): number {
  if (policy.backoff === 'fixed') return Math.min(policy.delayMs, policy.maxDelayMs);
  const ceiling = Math.min(policy.maxDelayMs, policy.delayMs * 2 ** Math.max(0, failedAttempt - 1));
  return Math.round(random() * ceiling);
}
