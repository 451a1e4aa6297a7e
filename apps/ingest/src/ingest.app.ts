import { HookflowConfig } from '@hookflow/config';
import { loadRulesDirectory, RulesDirectoryService } from '@hookflow/rules';
import { answerClientError, SHUTDOWN_SIGNALS } from '@hookflow/runtime';
import { HookflowMetrics, nameRequestSpansByRoute } from '@hookflow/telemetry';
import { DynamicModule, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import { IngestModule } from './ingest.module';
import { countDeliveries } from './metrics/delivery-metrics';
import { HttpDrain } from './shutdown/http-drain';
import { SourceRegistry } from './sources/source-registry.service';

/**
 * Builds the ingest app, ready to listen: rules validated and synced, sources loaded.
 * Every body is read as raw bytes (no JSON parser runs before verification).
 */
export async function createIngestApp(config: HookflowConfig): Promise<NestFastifyApplication> {
  loadRulesDirectory(config.rules.dir, config.rules.variables); // fail fast, before connecting anything
  const trustProxy = config.ingest.trustedProxies.length > 0 ? config.ingest.trustedProxies : false;
  const adapter = new FastifyAdapter({ bodyLimit: config.ingest.bodyLimitBytes, trustProxy, clientErrorHandler: answerClientError });
  const drain = new HttpDrain(config.shutdown.graceMs);
  const app = await NestFactory.create<NestFastifyApplication>(IngestAppModule.forRoot(config, drain), adapter, {
    bodyParser: false,
    bufferLogs: true,
  });
  app.useLogger(app.get(Logger));
  const fastify = app.getHttpAdapter().getInstance();
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  app.enableShutdownHooks(SHUTDOWN_SIGNALS);
  const rulesDirectory = app.get(RulesDirectoryService);
  const sources = app.get(SourceRegistry);
  drain.attach(fastify);
  nameRequestSpansByRoute(fastify);
  countDeliveries(fastify, app.get(HookflowMetrics), (sourceId) => sources.get(sourceId) !== undefined);
  rulesDirectory.onLoaded(() => sources.reload());
  await rulesDirectory.load().catch(async (error: unknown) => {
    await app.close(); // a bad directory (a missing db table, say) must not leave connections open
    throw error;
  });
  return app;
}

/**
 * The ingest module under a root of its own, whose only provider is the {@link HttpDrain}: Nest runs
 * shutdown hooks from the root down, so deliveries in flight finish, and new ones are turned away,
 * before the batching and relaying services drain and the pool closes.
 */
@Module({})
class IngestAppModule {
  static forRoot(config: HookflowConfig, drain: HttpDrain): DynamicModule {
    return { module: IngestAppModule, imports: [IngestModule.forRoot(config)], providers: [{ provide: HttpDrain, useValue: drain }] };
  }
}
