import { ActionsModule, DbTargetsCheck } from '@hookflow/actions';
import { HookflowConfig, HookflowConfigModule } from '@hookflow/config';
import { DeadLetterModule } from '@hookflow/dead-letter';
import { PersistenceModule } from '@hookflow/persistence';
import { QueueModule } from '@hookflow/queue';
import { RulesModule } from '@hookflow/rules';
import { LoggingModule, ObservabilityModule } from '@hookflow/runtime';
import { DynamicModule, Module } from '@nestjs/common';
import { AlertDetector } from './alerts/alert-detector.service';
import { CircuitAlerts } from './alerts/circuit-alerts.service';
import { RunAlerts } from './alerts/run-alerts.service';
import { SystemEvents } from './alerts/system-events.service';
import { EventDispatchService } from './dispatch/event-dispatch.service';
import { EventsProcessor } from './dispatch/events.processor';
import { OpenCircuitsProbe } from './telemetry/open-circuits.probe';
import { RetentionPruner } from './retention/retention-pruner.service';
import { RuleRegistry } from './rules/rule-registry.service';
import { ReplaysProcessor } from './runs/replays.processor';
import { RunExecutor } from './runs/run-executor.service';
import { RunQueues } from './runs/run-queues.service';
import { RunsProcessor } from './runs/runs.processor';
import { RunsSweeper } from './runs/runs-sweeper.service';

@Module({})
export class EngineModule {
  static forRoot(config: HookflowConfig): DynamicModule {
    return {
      module: EngineModule,
      imports: [
        HookflowConfigModule.forRoot(config),
        LoggingModule,
        ObservabilityModule,
        PersistenceModule.forRoot(),
        QueueModule.forRoot('worker'),
        RulesModule.forRoot({ checks: [DbTargetsCheck] }),
        ActionsModule,
        DeadLetterModule,
      ],
      providers: [
        RuleRegistry,
        EventDispatchService,
        EventsProcessor,
        RunQueues,
        RunExecutor,
        RunsProcessor,
        ReplaysProcessor,
        RunsSweeper,
        OpenCircuitsProbe,
        RetentionPruner,
        SystemEvents,
        RunAlerts,
        CircuitAlerts,
        AlertDetector,
      ],
    };
  }
}
