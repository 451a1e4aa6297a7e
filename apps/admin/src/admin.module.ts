import { DbTargetsCheck } from '@hookflow/actions';
import { HookflowConfig, HookflowConfigModule } from '@hookflow/config';
import { PersistenceModule } from '@hookflow/persistence';
import { QueueModule } from '@hookflow/queue';
import { RulesModule } from '@hookflow/rules';
import { HealthController, LoggingModule } from '@hookflow/runtime';
import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { ApiKeysController } from './api-keys/api-keys.controller';
import { ApiKeyGuard } from './auth/api-key.guard';
import { ApiKeysService } from './auth/api-keys.service';
import { AdminExceptionFilter } from './errors/admin-exception.filter';
import { RulesDirectoryController } from './rules-directory/rules-directory.controller';

/** The operator's REST API. Each feature (sources, rules, events, runs, dead letters) is a folder. */
@Module({})
export class AdminModule {
  static forRoot(config: HookflowConfig): DynamicModule {
    return {
      module: AdminModule,
      imports: [
        HookflowConfigModule.forRoot(config),
        LoggingModule,
        PersistenceModule.forRoot(),
        QueueModule.forRoot('producer'),
        RulesModule.forRoot({ checks: [DbTargetsCheck] }),
      ],
      controllers: [HealthController, ApiKeysController, RulesDirectoryController],
      providers: [ApiKeysService, { provide: APP_GUARD, useClass: ApiKeyGuard }, { provide: APP_FILTER, useClass: AdminExceptionFilter }],
    };
  }
}
