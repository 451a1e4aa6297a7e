import { HOOKFLOW_CONFIG, HookflowConfig } from '@hookflow/config';
import { traceLogFields } from '@hookflow/telemetry';
import { Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import pino from 'pino';
import type { Options } from 'pino-http';
import { serializeErrorForLog } from './error-log-serializer';

/** Headers that carry credentials or signatures: never written to a log line. */
export const REDACTED_HEADERS = [
  'authorization',
  'cookie',
  'x-webhook-signature',
  'x-hub-signature',
  'x-hub-signature-256',
  'stripe-signature',
  'x-slack-signature',
  'x-shopify-hmac-sha256',
  'x-twilio-signature',
  'x-twilio-email-event-webhook-signature',
  'webhook-signature',
  'svix-signature',
];

/**
 * pino JSON logs (pretty in development), one line per request, credentials redacted, errors
 * without the values of the statement that failed (see {@link serializeErrorForLog}). A line
 * written while a span is active carries its `trace_id` and `span_id` (with tracing on), so logs
 * and traces join up.
 */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [HOOKFLOW_CONFIG],
      useFactory: (config: HookflowConfig) => {
        const options: Options = {
          level: config.log.level,
          mixin: traceLogFields,
          transport: config.log.pretty ? { target: 'pino-pretty', options: { singleLine: true } } : undefined,
          redact: { paths: [...REDACTED_HEADERS.map((name) => `req.headers["${name}"]`), 'req.query'], censor: '[redacted]' },
          // Query strings can carry tokens (bearer sources' queryParameter): log the path only. Errors
          // of failed statements carry the statement's values: logged without them.
          serializers: {
            req: (request: { url?: string }) => ({ ...request, url: request.url?.split('?')[0] }),
            err: serializeErrorForLog,
          },
          customLogLevel: (_request, response, error) =>
            error || response.statusCode >= 500 ? 'error' : response.statusCode >= 400 ? 'warn' : 'info',
        };
        // Asynchronous writes: a line per request must not cost a blocking write(2) each; lines
        // written while one write is in flight go out together. pino flushes what is left on exit.
        // Under tests pino keeps its default, which writes through jest's process.stdout (LogCapture).
        const asynchronous = !config.log.pretty && config.env !== 'test';
        return { pinoHttp: asynchronous ? [options, pino.destination({ dest: 1, sync: false })] : options };
      },
    }),
  ],
})
export class LoggingModule {}
