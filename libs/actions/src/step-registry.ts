import { HOOKFLOW_CONFIG, HookflowConfig } from '@hookflow/config';
import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { DestinationGuard } from './http/destination-guard';
import { HttpStepExecutor } from './http/http.step';
import { StepExecutor } from './step-executor';

/** Every step type, by `type`. Adding a step type is a file and a line here. */
@Injectable()
export class StepRegistry implements OnApplicationShutdown {
  private readonly http: HttpStepExecutor;
  private readonly executors: ReadonlyMap<string, StepExecutor>;

  constructor(@Inject(HOOKFLOW_CONFIG) config: HookflowConfig) {
    this.http = new HttpStepExecutor(new DestinationGuard(config.engine.allowedPrivateRanges));
    this.executors = new Map<string, StepExecutor>([[this.http.type, this.http]]);
  }

  executorFor(type: string): StepExecutor | undefined {
    return this.executors.get(type);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.http.close();
  }
}
