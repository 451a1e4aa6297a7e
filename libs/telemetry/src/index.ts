export { SpanKind } from '@opentelemetry/api';
export { startTracing, flushTracing, stopTracing, StartTracingOptions } from './tracing/start-tracing';
export {
  HookflowAttributes,
  TraceCarrier,
  SpanSettings,
  currentTraceCarrier,
  inSpan,
  continueTrace,
  annotateSpan,
  markSpanFailed,
  traceLogFields,
} from './tracing/trace-context';
export { nameRequestSpansByRoute } from './tracing/route-span-names';
export {
  HookflowMetrics,
  DeliveryOutcome,
  DeliveryRecord,
  RunFinalStatus,
  RetentionTable,
  SystemEventOutcome,
  QueueJobState,
  QUEUE_JOB_STATES,
  ScrapeProbe,
  UNKNOWN_SOURCE,
} from './metrics/hookflow-metrics';
export { TelemetryModule } from './telemetry.module';
