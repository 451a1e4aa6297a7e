export * from './queues';
export { redisOptions, RedisRole } from './redis-connection';
export { QueueModule } from './queue.module';
