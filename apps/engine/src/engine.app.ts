import { DbConnections } from '@hookflow/actions';
import { HookflowConfig } from '@hookflow/config';
import { CatalogSyncService, loadRulesDirectory, substituteVariables } from '@hookflow/rules';
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
  const catalog = loadRulesDirectory(config.rules.dir, config.rules.variables); // fail fast, before connecting anything
  const app = await NestFactory.create<NestFastifyApplication>(EngineModule.forRoot(config), new FastifyAdapter(), { bufferLogs: true });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  // Connection URLs hold passwords: resolved here, in memory, and never synced into the database.
  app.get(DbConnections).configure(substituteVariables(catalog.connections, config.rules.variables));
  await app.get(CatalogSyncService).syncRulesDirectory();
  await app.get(RuleRegistry).reload();
  return app;
}
