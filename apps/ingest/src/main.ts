import './tracing.bootstrap'; // first: see the file
import 'reflect-metadata';
import { loadConfig } from '@hookflow/config';
import { loadRulesDirectory } from '@hookflow/rules';
import { assertDependenciesReady, exitIfShutdownHangs, exitWithStartupFailure, SHUTDOWN_SLACK_MS } from '@hookflow/runtime';
import { createIngestApp } from './ingest.app';

async function main(): Promise<void> {
  const config = loadConfig();
  loadRulesDirectory(config.rules.dir, config.rules.variables); // a bad rules file is reported before any connection
  await assertDependenciesReady(config);
  const app = await createIngestApp(config);
  // Past the grace, with time to close connections: a stop that hangs still ends.
  exitIfShutdownHangs('ingest', config.shutdown.graceMs + SHUTDOWN_SLACK_MS);
  await app.listen(config.ingest.port, config.ingest.host);
}

main().catch((error: unknown) => exitWithStartupFailure('ingest', error));
