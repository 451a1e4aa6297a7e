import { DbTargetsCheck } from '@hookflow/actions';
import { HookflowConfig, HookflowConfigModule } from '@hookflow/config';
import { PersistenceModule } from '@hookflow/persistence';
import { QueueModule } from '@hookflow/queue';
import { RulesModule } from '@hookflow/rules';
import { LoggingModule, ObservabilityModule } from '@hookflow/runtime';
import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { ApiKeysController } from './api-keys/api-keys.controller';
import { ApiKeyGuard } from './auth/api-key.guard';
import { ApiKeysService } from './auth/api-keys.service';
import { AdminExceptionFilter } from './errors/admin-exception.filter';
import { BulkReplayService } from './dead-letters/bulk-replay.service';
import { DeadLettersController } from './dead-letters/dead-letters.controller';
import { DeadLettersService } from './dead-letters/dead-letters.service';
import { EventFeedService } from './events/event-feed.service';
import { EventReplayService } from './events/event-replay.service';
import { EventsController } from './events/events.controller';
import { EventsService } from './events/events.service';
import { FeedHoldBackProbe } from './events/feed-hold-back.probe';
import { RunLauncher } from './runs/run-launcher.service';
import { RunReplayService } from './runs/run-replay.service';
import { RunsController } from './runs/runs.controller';
import { RunsService } from './runs/runs.service';
import { RulesDirectoryController } from './rules-directory/rules-directory.controller';
import { RuleDryRunService } from './rules/rule-dry-run.service';
import { RuleValidation } from './rules/rule-validation.service';
import { RulesController } from './rules/rules.controller';
import { RulesService } from './rules/rules.service';
import { SourceHealthController } from './source-health/source-health.controller';
import { SourceHealthService } from './source-health/source-health.service';
import { SourceRejectionsService } from './source-health/source-rejections.service';
import { SourcesController } from './sources/sources.controller';
import { SourcesService } from './sources/sources.service';

/** The operator's REST API. Each feature (sources, rules, events, runs, dead letters) is a folder. */
@Module({})
export class AdminModule {
  static forRoot(config: HookflowConfig): DynamicModule {
    return {
      module: AdminModule,
      imports: [
        HookflowConfigModule.forRoot(config),
        LoggingModule,
        ObservabilityModule,
        PersistenceModule.forRoot(),
        QueueModule.forRoot('producer'),
        RulesModule.forRoot({ checks: [DbTargetsCheck] }),
      ],
      controllers: [
        ApiKeysController,
        RulesDirectoryController,
        SourceHealthController,
        EventsController,
        RunsController,
        DeadLettersController,
        SourcesController,
        RulesController,
      ],
      providers: [
        ApiKeysService,
        SourceHealthService,
        SourceRejectionsService,
        EventsService,
        EventFeedService,
        FeedHoldBackProbe,
        EventReplayService,
        RunsService,
        RunReplayService,
        RunLauncher,
        DeadLettersService,
        BulkReplayService,
        SourcesService,
        RulesService,
        RuleValidation,
        RuleDryRunService,
        DbTargetsCheck,
        { provide: APP_GUARD, useClass: ApiKeyGuard },
        { provide: APP_FILTER, useClass: AdminExceptionFilter },
      ],
    };
  }
}
