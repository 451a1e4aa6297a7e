import { DbTargetsCheck } from '@hookflow/actions';
import { HookflowConfig, HookflowConfigModule } from '@hookflow/config';
import { PersistenceModule } from '@hookflow/persistence';
import { QueueModule } from '@hookflow/queue';
import { RulesModule } from '@hookflow/rules';
import { LoggingModule, ObservabilityModule } from '@hookflow/runtime';
import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';

import { DeliveryRateLimiter } from './guards/delivery-rate-limiter.service';
import { EventCommitter } from './hooks/event-committer.service';
import { HooksController } from './hooks/hooks.controller';
import { IntakeService } from './hooks/intake.service';
import { IngestExceptionFilter } from './ingest-exception.filter';
import { EventRelay } from './outbox/event-relay.service';
import { OutboxSweeper } from './outbox/outbox-sweeper.service';
import { RejectionLog } from './rejections/rejection-log.service';
import { SourceRegistry } from './sources/source-registry.service';

@Module({})
export class IngestModule {
  static forRoot(config: HookflowConfig): DynamicModule {
    return {
      module: IngestModule,
      imports: [
        HookflowConfigModule.forRoot(config),
        LoggingModule,
        ObservabilityModule,
        PersistenceModule.forRoot(),
        QueueModule.forRoot('producer'),
        RulesModule.forRoot({ checks: [DbTargetsCheck] }),
      ],
      controllers: [HooksController],
      providers: [
        IntakeService,
        EventCommitter,
        EventRelay,
        SourceRegistry,
        OutboxSweeper,
        RejectionLog,
        DeliveryRateLimiter,
        { provide: APP_FILTER, useClass: IngestExceptionFilter },
      ],
    };
  }
}
