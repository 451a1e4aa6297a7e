export * from './queues';
export { redisOptions, RedisRole } from './redis-connection';
export { QueueModule } from './queue.module';
export { TracedQueue } from './traced-queue';
export { pingQueueRedis } from './queue-connection';
export { withTimeout } from './with-timeout';
