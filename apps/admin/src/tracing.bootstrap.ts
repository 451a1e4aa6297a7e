// Imported first by main.ts, before anything that loads pg, ioredis, undici or http: OpenTelemetry's
// instrumentation patches those modules as they load. Does nothing unless OTEL_* configures an exporter.
import { startTracing } from '@hookflow/telemetry';

startTracing('hookflow-admin');
