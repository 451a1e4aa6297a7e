import './tracing.bootstrap'; // first: see the file
import 'reflect-metadata';
import { loadConfig } from '@hookflow/config';
import { loadRulesDirectory } from '@hookflow/rules';
import { assertDependenciesReady, exitIfShutdownHangs, exitWithStartupFailure, SHUTDOWN_SLACK_MS } from '@hookflow/runtime';
import { createEngineApp } from './engine.app';

async function main(): Promise<void> {
  const config = loadConfig();
  loadRulesDirectory(config.rules.dir, config.rules.variables); // a bad rules file is reported before any connection
  await assertDependenciesReady(config);
  const app = await createEngineApp(config);
  // Past the grace, with time to close connections: a stop that hangs still ends.
  exitIfShutdownHangs('engine', config.shutdown.graceMs + SHUTDOWN_SLACK_MS);
  await app.listen(config.engine.port, config.engine.host);
}

main().catch((error: unknown) => exitWithStartupFailure('engine', error));
