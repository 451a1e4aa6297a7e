export * from './queues';
export { redisOptions, RedisRole } from './redis-connection';
export { QueueModule } from './queue.module';
export { TracedQueue } from './traced-queue';
export { HookflowWorker, STALLED_JOB_SETTINGS, STALLED_TOO_OFTEN } from './hookflow-worker';
export { pingQueueRedis } from './queue-connection';
export { withTimeout } from './with-timeout';
