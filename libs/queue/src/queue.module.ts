import { HookflowConfig, HOOKFLOW_CONFIG } from '@hookflow/config';
import { BullModule } from '@nestjs/bullmq';
import { DynamicModule, Module } from '@nestjs/common';
import { HookflowWorker } from './hookflow-worker';
import { QueueErrorLogger } from './queue-error-logger';
import { EVENTS_QUEUE, REPLAYS_QUEUE, RUNS_QUEUE } from './queues';
import { redisOptions, RedisRole } from './redis-connection';
import { TracedQueue } from './traced-queue';

/**
 * Registers Hookflow's queues on the configured Redis, with the key prefix of this deployment.
 * Global: besides the app's own services, its health and metrics probes read the queues.
 */
@Module({})
export class QueueModule {
  static forRoot(role: RedisRole): DynamicModule {
    // @nestjs/bullmq's documented way to use another Queue class: every queue carries trace context.
    BullModule.queueClass = TracedQueue;
    // And every processor's worker has Hookflow's stalled-job settings and bounded shutdown.
    BullModule.workerClass = HookflowWorker;
    const root = BullModule.forRootAsync({
      inject: [HOOKFLOW_CONFIG],
      useFactory: (config: HookflowConfig) => ({
        connection: redisOptions(config.redis.url, role),
        prefix: config.redis.prefix,
        skipWaitingForReady: role === 'producer',
      }),
    });
    const queues = BullModule.registerQueue({ name: EVENTS_QUEUE }, { name: RUNS_QUEUE }, { name: REPLAYS_QUEUE });
    return { module: QueueModule, global: true, imports: [root, queues], providers: [QueueErrorLogger], exports: [queues] };
  }
}
