import { DbTargetsCheck } from '@hookflow/actions';
import { HookflowConfig, HookflowConfigModule } from '@hookflow/config';
import { PersistenceModule } from '@hookflow/persistence';
import { QueueModule } from '@hookflow/queue';
import { RulesModule } from '@hookflow/rules';
import { HealthController, LoggingModule } from '@hookflow/runtime';
import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';

import { HooksController } from './hooks/hooks.controller';
import { IntakeService } from './hooks/intake.service';
import { IngestExceptionFilter } from './ingest-exception.filter';
import { OutboxSweeper } from './outbox/outbox-sweeper.service';
import { SourceRegistry } from './sources/source-registry.service';

@Module({})
export class IngestModule {
  static forRoot(config: HookflowConfig): DynamicModule {
    return {
      module: IngestModule,
      imports: [
        HookflowConfigModule.forRoot(config),
        LoggingModule,
        PersistenceModule.forRoot(),
        QueueModule.forRoot('producer'),
        RulesModule.forRoot({ checks: [DbTargetsCheck] }),
      ],
      controllers: [HooksController, HealthController],
      providers: [IntakeService, SourceRegistry, OutboxSweeper, { provide: APP_FILTER, useClass: IngestExceptionFilter }],
    };
  }
}
