import { HOOKFLOW_CONFIG, HookflowConfig } from '@hookflow/config';
import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { DbConnections } from './db/db-connections';
import { DbStepExecutor } from './db/db.step';
import { EmailStepExecutor } from './email/email.step';
import { CircuitBreakers } from './http/circuit-breaker';
import { DestinationGuard } from './http/destination-guard';
import { HttpStepExecutor } from './http/http.step';
import { StepExecutor } from './step-executor';
import { TransformStepExecutor } from './transform/transform.step';

/** Every step type, by `type`. Adding a step type is a file and a line here. */
@Injectable()
export class StepRegistry implements OnApplicationShutdown {
  private readonly http: HttpStepExecutor;
  private readonly email: EmailStepExecutor;
  private readonly executors: ReadonlyMap<string, StepExecutor>;

  constructor(@Inject(HOOKFLOW_CONFIG) config: HookflowConfig, dbConnections: DbConnections, circuits: CircuitBreakers) {
    this.http = new HttpStepExecutor(new DestinationGuard(config.engine.allowedPrivateRanges), circuits);
    this.email = new EmailStepExecutor(config.smtp);
    this.executors = new Map<string, StepExecutor>(
      [this.http, this.email, new TransformStepExecutor(), new DbStepExecutor(dbConnections)].map((executor) => [executor.type, executor]),
    );
  }

  executorFor(type: string): StepExecutor | undefined {
    return this.executors.get(type);
  }

  async onApplicationShutdown(): Promise<void> {
    this.email.close();
    await this.http.close();
  }
}
