import { HookflowConfig, HOOKFLOW_CONFIG } from '@hookflow/config';
import { BullModule } from '@nestjs/bullmq';
import { DynamicModule, Module } from '@nestjs/common';
import { QueueErrorLogger } from './queue-error-logger';
import { EVENTS_QUEUE, RUNS_QUEUE } from './queues';
import { redisOptions, RedisRole } from './redis-connection';

/** Registers Hookflow's queues on the configured Redis, with the key prefix of this deployment. */
@Module({})
export class QueueModule {
  static forRoot(role: RedisRole): DynamicModule {
    const root = BullModule.forRootAsync({
      inject: [HOOKFLOW_CONFIG],
      useFactory: (config: HookflowConfig) => ({
        connection: redisOptions(config.redis.url, role),
        prefix: config.redis.prefix,
        skipWaitingForReady: role === 'producer',
      }),
    });
    const queues = BullModule.registerQueue({ name: EVENTS_QUEUE }, { name: RUNS_QUEUE });
    return { module: QueueModule, imports: [root, queues], providers: [QueueErrorLogger], exports: [queues] };
  }
}
