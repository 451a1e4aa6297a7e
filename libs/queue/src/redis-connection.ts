import type { RedisOptions } from 'bullmq';

export type RedisRole = 'producer' | 'worker';

/**
 * ioredis options for a Redis URL. Producers (ingest) give up on a command after one reconnect
 * attempt (callers also bound the wait): the event is already committed, and the outbox sweeper
 * enqueues it once Redis is back.
 * Workers wait for Redis indefinitely, as BullMQ requires.
 */
export function redisOptions(url: string, role: RedisRole): RedisOptions {
  const parsed = new URL(url);
  const db = parsed.pathname.length > 1 ? Number(parsed.pathname.slice(1)) : 0;
  return {
    host: parsed.hostname,
    port: parsed.port ? Number(parsed.port) : 6379,
    username: parsed.username ? decodeURIComponent(parsed.username) : undefined,
    password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
    db: Number.isInteger(db) ? db : 0,
    tls: parsed.protocol === 'rediss:' ? {} : undefined,
    ...(role === 'producer' ? { maxRetriesPerRequest: 1, connectTimeout: 2_000 } : { maxRetriesPerRequest: null }),
    // Reconnect quickly at first, then every 2 s, for ever: Redis coming back must be noticed soon.
    retryStrategy: (times: number) => Math.min(times * 200, 2_000),
  };
}
