import { HOOKFLOW_CONFIG, HookflowConfig } from '@hookflow/config';
import { Module, Provider } from '@nestjs/common';
import { DbConnections } from './db/db-connections';
import { CircuitBreakers } from './http/circuit-breaker';
import { StepRegistry } from './step-registry';

/** One set of circuit breakers per process, shared by every run it executes. */
const circuitBreakers: Provider = {
  provide: CircuitBreakers,
  inject: [HOOKFLOW_CONFIG],
  useFactory: (config: HookflowConfig) => new CircuitBreakers(config.engine.circuit),
};

@Module({ providers: [StepRegistry, DbConnections, circuitBreakers], exports: [StepRegistry, DbConnections, CircuitBreakers] })
export class ActionsModule {}
