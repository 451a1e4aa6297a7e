import { tracingSettings } from '@hookflow/config';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { TracingSdk } from './tracing-sdk';

let running: TracingSdk | undefined;

export interface StartTracingOptions {
  /**
   * Export every span to this exporter as it ends, whatever OTEL_* says (tests use an
   * InMemorySpanExporter). Without it, tracing starts only when an exporter is configured.
   */
  exporter?: SpanExporter;
}

/**
 * Starts OpenTelemetry tracing for this process, when OTEL_* configures an exporter (see
 * `tracingSettings`); otherwise does nothing, and loads nothing: spans are then the API's no-ops.
 * Call it before anything else is imported (an app's `tracing.bootstrap.ts`): the pg and ioredis
 * instrumentations patch those modules as they load. Starting twice keeps the first.
 *
 * @param serviceName the default `service.name`; OTEL_SERVICE_NAME wins over it
 * @returns whether tracing is on
 */
export function startTracing(serviceName: string, options: StartTracingOptions = {}): boolean {
  if (running) return true;
  const settings = tracingSettings();
  if (!settings.enabled && !options.exporter) return false;
  // Required here, not imported above: with tracing off, the SDK (and its exporters) never loads.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { startTracingSdk } = require('./tracing-sdk') as typeof import('./tracing-sdk');
  running = startTracingSdk(options.exporter ? serviceName : (settings.serviceName ?? serviceName), options.exporter);
  return true;
}

/** Exports the spans that have ended but are still buffered (on shutdown, so the last ones are not lost). */
export async function flushTracing(): Promise<void> {
  await running?.flush();
}

/** Stops tracing and removes its instrumentation (tests; a process that exits needs only {@link flushTracing}). */
export async function stopTracing(): Promise<void> {
  const sdk = running;
  running = undefined;
  await sdk?.shutdown();
}
