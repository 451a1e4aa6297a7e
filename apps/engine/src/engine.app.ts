import { DbConnections } from '@hookflow/actions';
import { HookflowConfig } from '@hookflow/config';
import { loadRulesDirectory, RulesDirectoryService, substituteVariables } from '@hookflow/rules';
import { SHUTDOWN_SIGNALS } from '@hookflow/runtime';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import { EngineModule } from './engine.module';
import { RuleRegistry } from './rules/rule-registry.service';

/**
 * Builds the engine, ready to listen (health only): rules validated, synced and compiled before
 * its workers start taking jobs, which happens on init. Each reload of the rules directory
 * (SIGHUP, a watched change) reconfigures the db connections and recompiles the rules.
 */
export async function createEngineApp(config: HookflowConfig): Promise<NestFastifyApplication> {
  loadRulesDirectory(config.rules.dir, config.rules.variables); // fail fast, before connecting anything
  const app = await NestFactory.create<NestFastifyApplication>(EngineModule.forRoot(config), new FastifyAdapter(), { bufferLogs: true });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks(SHUTDOWN_SIGNALS);
  const rulesDirectory = app.get(RulesDirectoryService);
  const connections = app.get(DbConnections);
  const registry = app.get(RuleRegistry);
  // Connection URLs hold passwords: resolved here, in memory, and never synced into the database.
  rulesDirectory.onLoaded((rules) => connections.configure(substituteVariables(rules.connections, config.rules.variables)));
  rulesDirectory.onLoaded(() => registry.reload());
  await rulesDirectory.load().catch(async (error: unknown) => {
    await app.close(); // a bad directory (a missing db table, say) must not leave connections open
    throw error;
  });
  return app;
}
