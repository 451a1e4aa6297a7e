import { DynamicModule, Global, Inject, Module } from '@nestjs/common';
import { HookflowConfig } from './hookflow-config';

export const HOOKFLOW_CONFIG = Symbol('HOOKFLOW_CONFIG');

/** Injects the validated {@link HookflowConfig}. */
export const InjectConfig = (): ParameterDecorator => Inject(HOOKFLOW_CONFIG);

/** Makes one already-validated configuration available to every module of an app. */
@Global()
@Module({})
export class HookflowConfigModule {
  static forRoot(config: HookflowConfig): DynamicModule {
    return {
      module: HookflowConfigModule,
      providers: [{ provide: HOOKFLOW_CONFIG, useValue: config }],
      exports: [HOOKFLOW_CONFIG],
    };
  }
}
