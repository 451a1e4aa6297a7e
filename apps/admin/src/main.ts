import './tracing.bootstrap'; // first: see the file
import 'reflect-metadata';
import { loadConfig } from '@hookflow/config';
import { assertDependenciesReady, exitIfShutdownHangs, exitWithStartupFailure, SHUTDOWN_SLACK_MS } from '@hookflow/runtime';
import { createAdminApp } from './admin.app';

async function main(): Promise<void> {
  const config = loadConfig();
  await assertDependenciesReady(config);
  const app = await createAdminApp(config);
  // Past the grace, with time to close connections: a stop that hangs still ends.
  exitIfShutdownHangs('admin', config.shutdown.graceMs + SHUTDOWN_SLACK_MS);
  await app.listen(config.admin.port, config.admin.host);
}

main().catch((error: unknown) => exitWithStartupFailure('admin', error));
