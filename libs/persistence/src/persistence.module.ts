import { HOOKFLOW_CONFIG, HookflowConfig } from '@hookflow/config';
import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AlertSignalsRepository } from './repositories/alert-signals.repository';
import { ApiKeysRepository } from './repositories/api-keys.repository';
import { CatalogRepository } from './repositories/catalog.repository';
import { DeadLettersRepository } from './repositories/dead-letters.repository';
import { DeadLettersQueryRepository } from './repositories/dead-letters-query.repository';
import { EventsRepository } from './repositories/events.repository';
import { EventsQueryRepository } from './repositories/events-query.repository';
import { IngestRejectionsRepository } from './repositories/ingest-rejections.repository';
import { SourceHealthRepository } from './repositories/source-health.repository';
import { ReplaysRepository } from './repositories/replays.repository';
import { RetentionRepository } from './repositories/retention.repository';
import { RunRecoveryRepository } from './repositories/run-recovery.repository';
import { RunsRepository } from './repositories/runs.repository';
import { RunsQueryRepository } from './repositories/runs-query.repository';
import { RulesRepository } from './repositories/rules.repository';
import { SourcesRepository } from './repositories/sources.repository';
import { SecretBox } from './secret-box';
import { dataSourceOptions } from './typeorm-options';

const REPOSITORIES = [
  CatalogRepository,
  EventsRepository,
  RunsRepository,
  RunRecoveryRepository,
  DeadLettersRepository,
  ApiKeysRepository,
  IngestRejectionsRepository,
  SourceHealthRepository,
  SourcesRepository,
  RulesRepository,
  EventsQueryRepository,
  RunsQueryRepository,
  DeadLettersQueryRepository,
  ReplaysRepository,
  RetentionRepository,
  AlertSignalsRepository,
];

/** The database connection and every repository. The only module that knows SQL. */
@Module({})
export class PersistenceModule {
  static forRoot(): DynamicModule {
    return {
      module: PersistenceModule,
      global: true,
      imports: [
        TypeOrmModule.forRootAsync({
          inject: [HOOKFLOW_CONFIG],
          // Reachability is checked before the app boots (assertReachable), so no retry loop here.
          useFactory: (config: HookflowConfig) => ({ ...dataSourceOptions(config), retryAttempts: 0 }),
        }),
      ],
      providers: [
        { provide: SecretBox, inject: [HOOKFLOW_CONFIG], useFactory: (config: HookflowConfig) => new SecretBox(config.security.masterKey) },
        ...REPOSITORIES,
      ],
      exports: [SecretBox, ...REPOSITORIES],
    };
  }
}
