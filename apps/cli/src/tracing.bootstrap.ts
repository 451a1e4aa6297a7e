// Imported first by main.ts, before anything that loads pg, ioredis, undici or http: OpenTelemetry's
// instrumentation patches those modules as they load, so waiting for the `start` action to run
// would be too late (the commands' own imports load them). Only `start`, the long-running
// single-node server, is traced; one-shot commands (migrate, rules, apikey) are not. Does nothing
// unless OTEL_* configures an exporter.
import { startTracing } from '@hookflow/telemetry';

if (process.argv[2] === 'start') startTracing('hookflow');
