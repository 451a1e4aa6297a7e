import { HookflowConfig } from '@hookflow/config';
import { CatalogSyncService, loadRulesDirectory } from '@hookflow/rules';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import { EngineModule } from './engine.module';
import { RuleRegistry } from './rules/rule-registry.service';

/**
 * Builds the engine, ready to listen (health only): rules validated, synced and compiled before
 * its workers start taking jobs, which happens on init.
 */
export async function createEngineApp(config: HookflowConfig): Promise<NestFastifyApplication> {
  loadRulesDirectory(config.rules.dir, config.rules.variables); // fail fast, before connecting anything
  const app = await NestFactory.create<NestFastifyApplication>(EngineModule.forRoot(config), new FastifyAdapter(), { bufferLogs: true });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  await app.get(CatalogSyncService).syncRulesDirectory();
  await app.get(RuleRegistry).reload();
  return app;
}
