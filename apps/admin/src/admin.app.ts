import { HookflowConfig } from '@hookflow/config';
import { answerClientError, SHUTDOWN_SIGNALS } from '@hookflow/runtime';
import { nameRequestSpansByRoute } from '@hookflow/telemetry';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { AdminModule } from './admin.module';
import { serveConsole } from './console/serve-console';
import { adminValidationPipe } from './errors/validation';
import { describeAdminApi } from './openapi/openapi-document';
import { RejectNulPipe } from './validation/reject-nul.pipe';

/** Admin request bodies are definitions, not payloads: a small limit is plenty. */
const ADMIN_BODY_LIMIT_BYTES = 1024 * 1024;

/** Builds the admin API, ready to listen; the OpenAPI document is at /openapi.json, its page at /docs, the console at /console. */
export async function createAdminApp(config: HookflowConfig): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(
    AdminModule.forRoot(config),
    new FastifyAdapter({ bodyLimit: ADMIN_BODY_LIMIT_BYTES, clientErrorHandler: answerClientError }),
    { bufferLogs: true },
  );
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks(SHUTDOWN_SIGNALS);
  nameRequestSpansByRoute(app.getHttpAdapter().getInstance());
  app.useGlobalPipes(new RejectNulPipe(), adminValidationPipe);
  const document = describeAdminApi(app);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'openapi.json', yamlDocumentUrl: 'openapi.yaml' });
  // The console (apps/console) at /console, on this origin, with its own strict Content-Security-Policy.
  serveConsole(app, config);
  return app;
}
