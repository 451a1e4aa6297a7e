import { HookflowConfig, loadConfig } from '@hookflow/config';
import { ensureDatabaseExists, runPendingMigrations } from '@hookflow/persistence';
import { loadRulesDirectory } from '@hookflow/rules';
import { assertDependenciesReady, exitIfShutdownHangs, SHUTDOWN_SLACK_MS } from '@hookflow/runtime';
import { Command } from 'commander';

/** `start` (single node: ingest, engine and admin in one process) and `migrate`. */
export function registerServerCommands(program: Command): void {
  program
    .command('start')
    .description('single-node mode: run pending migrations, then ingest, engine and admin API in this process')
    .action(async () => {
      const config = loadConfig();
      loadRulesDirectory(config.rules.dir, config.rules.variables); // a bad rules file is reported before any connection
      await waitForDatabaseAndMigrate(config);
      await assertDependenciesReady(config);
      // Loaded here, not at the top: every other command starts without the three apps.
      const [{ createIngestApp }, { createEngineApp }, { createAdminApp }] = await Promise.all([
        import('@hookflow/ingest'),
        import('@hookflow/engine'),
        import('@hookflow/admin'),
      ]);
      const ingest = await createIngestApp(config);
      const engine = await createEngineApp(config);
      const admin = await createAdminApp(config);
      // The three apps stop together on one signal; past the grace (and time to close), the process exits anyway.
      exitIfShutdownHangs('start', config.shutdown.graceMs + SHUTDOWN_SLACK_MS);
      await engine.listen(config.engine.port, config.engine.host);
      await admin.listen(config.admin.port, config.admin.host);
      await ingest.listen(config.ingest.port, config.ingest.host);
      process.stdout.write(
        `hookflow: ingest on http://${config.ingest.host}:${config.ingest.port}/hooks/<source>, ` +
          `admin API on http://${config.admin.host}:${config.admin.port} (docs at /docs), engine health on :${config.engine.port}\n`,
      );
    });

  program
    .command('migrate')
    .description('run the database migrations that have not run yet (creates the database if missing)')
    .action(async () => {
      const config = loadConfig();
      const ran = await waitForDatabaseAndMigrate(config);
      process.stdout.write(ran.length > 0 ? `hookflow: ran ${ran.join(', ')}\n` : 'hookflow: the database schema is up to date\n');
    });
}

async function waitForDatabaseAndMigrate(config: HookflowConfig): Promise<string[]> {
  if (await ensureDatabaseExists(config.database.url, config.database.connectTimeoutMs).catch(() => false)) {
    process.stdout.write('hookflow: created the database named in DATABASE_URL\n');
  }
  // Only PostgreSQL matters for migrations; the full check (Redis too) runs when apps start.
  await assertDependenciesReady(config, { migrations: false, redis: false });
  return runPendingMigrations(config);
}
