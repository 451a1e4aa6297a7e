import { Global, Module, OnApplicationShutdown } from '@nestjs/common';
import { HookflowMetrics } from './metrics/hookflow-metrics';
import { flushTracing } from './tracing/start-tracing';

/**
 * An app's telemetry: its {@link HookflowMetrics} (global, so any provider records into it) and,
 * when the app stops, the export of the spans still buffered.
 */
@Global()
@Module({ providers: [{ provide: HookflowMetrics, useFactory: () => new HookflowMetrics() }], exports: [HookflowMetrics] })
export class TelemetryModule implements OnApplicationShutdown {
  async onApplicationShutdown(): Promise<void> {
    await flushTracing();
  }
}
