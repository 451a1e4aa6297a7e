import './tracing.bootstrap'; // first: see the file
import 'reflect-metadata';
import { loadConfig } from '@hookflow/config';
import { loadRulesDirectory } from '@hookflow/rules';
import { assertDependenciesReady, exitWithStartupFailure } from '@hookflow/runtime';
import { createIngestApp } from './ingest.app';

async function main(): Promise<void> {
  const config = loadConfig();
  loadRulesDirectory(config.rules.dir, config.rules.variables); // a bad rules file is reported before any connection
  await assertDependenciesReady(config);
  const app = await createIngestApp(config);
  await app.listen(config.ingest.port, config.ingest.host);
}

main().catch((error: unknown) => exitWithStartupFailure('ingest', error));
