import { HOOKFLOW_CONFIG, HookflowConfig, TokenBucketLimit } from '@hookflow/config';
import { redisOptions, withTimeout } from '@hookflow/queue';
import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { IngestRejection } from '../hooks/ingest-rejection';
import { TAKE_TOKENS_SCRIPT } from './token-bucket.script';

/** How long a delivery waits for Redis before it is let through unlimited: a limiter must not become an outage. */
const REDIS_TIMEOUT_MS = 250;
/** After Redis failed to answer, deliveries skip the limiter this long: an outage costs one wait per second, not one per delivery. */
const SKIP_AFTER_FAILURE_MS = 1_000;
/** The shortest time between two warnings that limits are not enforced. */
const WARNING_INTERVAL_MS = 30_000;

interface Bucket {
  key: string;
  limit: TokenBucketLimit;
  /** 1 takes a token; 0 only looks. */
  cost: 0 | 1;
  code: 'rate_limited' | 'verification_rate_limited';
}

type TakeTokens = (keyCount: number, ...keysAndArgs: (string | number)[]) => Promise<number[]>;

/**
 * Per-source rate limits shared by every ingest process (token buckets in Redis, one script call
 * per delivery). Each delivery takes a token of its source's bucket before anything else is done
 * for it; verification failures take tokens of a strict bucket per source and client address, and
 * once that is empty the address's deliveries to the source are refused before they are verified.
 * Fails open: when Redis does not answer in time the delivery goes on, with a warning, since
 * durability lives in PostgreSQL and refusing every delivery would be worse than not limiting.
 */
@Injectable()
export class DeliveryRateLimiter implements OnApplicationShutdown {
  private readonly logger = new Logger(DeliveryRateLimiter.name);
  private readonly redis: Redis;
  private readonly takeTokens: TakeTokens;
  private readonly prefix: string;
  private warnedAt = 0;
  private skipUntil = 0;

  constructor(@Inject(HOOKFLOW_CONFIG) private readonly config: HookflowConfig) {
    this.redis = new Redis(redisOptions(config.redis.url, 'producer'));
    this.redis.on('error', () => undefined); // reported by `unenforced`, at most every WARNING_INTERVAL_MS
    this.redis.defineCommand('hookflowTakeTokens', { lua: TAKE_TOKENS_SCRIPT });
    const commands = this.redis as unknown as { hookflowTakeTokens: TakeTokens };
    this.takeTokens = commands.hookflowTakeTokens.bind(this.redis);
    this.prefix = `${config.redis.prefix}:ratelimit`;
  }

  /**
   * Takes a token for a delivery to `sourceId` from `clientIp`; throws 429 (`rate_limited`, or
   * `verification_rate_limited` when the address has failed verification too often) with Retry-After.
   * `sourceLimit` is the source's own `rateLimit`, if it has one.
   */
  async admit(sourceId: string, clientIp: string, sourceLimit: TokenBucketLimit | undefined): Promise<void> {
    const { deliveries, verificationFailures } = this.config.ingest.rateLimits;
    const buckets: Bucket[] = [];
    const limit = sourceLimit ?? deliveries;
    if (limit.perSecond > 0) buckets.push({ key: this.sourceKey(sourceId), limit, cost: 1, code: 'rate_limited' });
    if (verificationFailures.perSecond > 0) {
      buckets.push({ key: this.failureKey(sourceId, clientIp), limit: verificationFailures, cost: 0, code: 'verification_rate_limited' });
    }
    const refused = (await this.take(buckets))?.find((verdict) => !verdict.allowed);
    if (refused) throw tooMany(refused.bucket, refused.waitMs);
  }

  /** Charges a failed verification to the address's strict bucket, without delaying the answer. */
  chargeVerificationFailure(sourceId: string, clientIp: string): void {
    const limit = this.config.ingest.rateLimits.verificationFailures;
    if (limit.perSecond === 0) return;
    void this.take([{ key: this.failureKey(sourceId, clientIp), limit, cost: 1, code: 'verification_rate_limited' }]);
  }

  onApplicationShutdown(): void {
    this.redis.disconnect();
  }

  private async take(buckets: Bucket[]): Promise<{ bucket: Bucket; allowed: boolean; waitMs: number }[] | undefined> {
    if (buckets.length === 0 || Date.now() < this.skipUntil) return undefined;
    try {
      const args = buckets.flatMap((bucket) => [bucket.limit.perSecond, bucket.limit.burst, bucket.cost]);
      const answer = await withTimeout(
        this.takeTokens(buckets.length, ...buckets.map((bucket) => bucket.key), ...args),
        REDIS_TIMEOUT_MS,
        'rate limit',
      );
      return buckets.map((bucket, index) => ({ bucket, allowed: answer[index * 2] === 1, waitMs: Number(answer[index * 2 + 1]) }));
    } catch (error) {
      this.unenforced(error);
      return undefined;
    }
  }

  private unenforced(error: unknown): void {
    const now = Date.now();
    this.skipUntil = now + SKIP_AFTER_FAILURE_MS;
    if (now - this.warnedAt < WARNING_INTERVAL_MS) return;
    this.warnedAt = now;
    this.logger.warn(
      `rate limits are not enforced, Redis does not answer (deliveries are accepted meanwhile): ${(error as Error).message}`,
    );
  }

  private sourceKey(sourceId: string): string {
    return `${this.prefix}:source:${sourceId}`;
  }

  private failureKey(sourceId: string, clientIp: string): string {
    return `${this.prefix}:verification:${sourceId}:${clientIp}`;
  }
}

function tooMany(bucket: Bucket, waitMs: number): IngestRejection {
  const retryAfter = Math.max(1, Math.ceil(waitMs / 1000));
  const message =
    bucket.code === 'rate_limited'
      ? `over the source's rate limit of ${bucket.limit.perSecond} deliveries per second (burst ${bucket.limit.burst}); retry after ${retryAfter}s`
      : `too many deliveries from this address failed verification (limit ${bucket.limit.perSecond} per second, burst ${bucket.limit.burst}); retry after ${retryAfter}s`;
  return new IngestRejection(429, bucket.code, message, {
    headers: { 'retry-after': String(retryAfter) },
    diagnostics: { limit: bucket.limit, retryAfterSeconds: retryAfter },
  });
}
