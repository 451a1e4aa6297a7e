import type { Queue } from 'bullmq';
import type Redis from 'ioredis';
import { withTimeout } from './with-timeout';

/**
 * Resolves when the Redis connection a queue's commands go through is up and answers a PING within
 * `timeoutMs`; otherwise rejects, saying why. A reconnecting client would hold commands until Redis
 * is back (workers wait for ever), so it is reported at once rather than pinged.
 */
export async function pingQueueRedis(queue: Queue, timeoutMs: number): Promise<void> {
  // The connection options Hookflow gives BullMQ (redisOptions) make it an ioredis client.
  const client = (await withTimeout(queue.getBackend().client, timeoutMs)) as unknown as Pick<Redis, 'status' | 'ping'>;
  if (client.status !== 'ready') throw new Error(`not connected (${client.status})`);
  await withTimeout(client.ping(), timeoutMs);
}
