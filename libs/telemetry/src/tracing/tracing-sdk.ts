import { trace } from '@opentelemetry/api';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { SimpleSpanProcessor, SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { IncomingMessage } from 'node:http';

/** Probes and scrapes: traced, they would bury the requests that matter. */
const UNTRACED_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

/** A started SDK, and what stops it. */
export interface TracingSdk {
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

/**
 * The OpenTelemetry Node SDK with exactly four instrumentations: http (incoming requests), undici
 * (the http step's calls), pg and ioredis. Exporter, sampler, propagators and resource come from
 * OTEL_* variables unless `exporter` is given (tests), which then receives each span as it ends.
 * Metrics and logs stay out of the SDK: metrics are Prometheus (/metrics), logs are pino.
 */
export function startTracingSdk(serviceName: string | undefined, exporter?: SpanExporter): TracingSdk {
  const instrumentations = [
    new HttpInstrumentation({
      ignoreIncomingRequestHook: (request: IncomingMessage) => UNTRACED_PATHS.has((request.url ?? '').split('?')[0] ?? ''),
      requireParentforOutgoingSpans: true,
    }),
    new UndiciInstrumentation({ requireParentforSpans: true }),
    // Without a parent, background polling (the outbox sweeper, BullMQ's blocking reads, catalog
    // refreshes) would each start a trace of their own, several a second.
    new PgInstrumentation({ requireParentSpan: true }),
    new IORedisInstrumentation({ requireParentSpan: true }),
  ];
  const sdk = new NodeSDK({
    serviceName,
    instrumentations,
    metricReaders: [],
    logRecordProcessors: [],
    ...(exporter ? { spanProcessors: [new SimpleSpanProcessor(exporter)] } : {}),
  });
  sdk.start();
  return {
    flush: async () => {
      // The global provider is a proxy; its delegate is the SDK's provider.
      const provider = trace.getTracerProvider() as { getDelegate?: () => { forceFlush?: () => Promise<void> } };
      await provider.getDelegate?.().forceFlush?.();
    },
    shutdown: async () => {
      await sdk.shutdown();
      // The SDK leaves its instrumentations patched; a test process goes on after it.
      for (const instrumentation of instrumentations) instrumentation.disable();
    },
  };
}
