#!/usr/bin/env node
import 'reflect-metadata';
import { DbTargetsCheck } from '@hookflow/actions';
import { loadConfig } from '@hookflow/config';
import { createEngineApp } from '@hookflow/engine';
import { createIngestApp } from '@hookflow/ingest';
import { ensureDatabaseExists, runPendingMigrations } from '@hookflow/persistence';
import { byPosition, formatProblem, loadRulesDirectory, RULE_FILE_SCHEMA, RulesValidationError } from '@hookflow/rules';
import { assertDependenciesReady, exitWithStartupFailure } from '@hookflow/runtime';
import { Command } from 'commander';

const program = new Command('hookflow').description('Hookflow: verify, store and act on webhooks.').showHelpAfterError();

program
  .command('start')
  .description('single-node mode: run pending migrations, then ingest and engine in this process')
  .action(async () => {
    const config = loadConfig();
    loadRulesDirectory(config.rules.dir, config.rules.variables); // a bad rules file is reported before any connection
    await waitForDatabaseAndMigrate(config);
    await assertDependenciesReady(config);
    const ingest = await createIngestApp(config);
    const engine = await createEngineApp(config);
    await engine.listen(config.engine.port, config.engine.host);
    await ingest.listen(config.ingest.port, config.ingest.host);
    process.stdout.write(
      `hookflow: ingest on http://${config.ingest.host}:${config.ingest.port}/hooks/<source>, engine health on :${config.engine.port}\n`,
    );
  });

program
  .command('migrate')
  .description('run the database migrations that have not run yet')
  .action(async () => {
    const config = loadConfig();
    const ran = await waitForDatabaseAndMigrate(config);
    process.stdout.write(ran.length > 0 ? `hookflow: ran ${ran.join(', ')}\n` : 'hookflow: the database schema is up to date\n');
  });

program
  .command('validate')
  .argument('[dir]', 'rules directory (default: HOOKFLOW_RULES_DIR or ./rules)')
  .option('--offline', "skip checking db steps' tables and columns against their databases")
  .description('check a rules directory, with the same messages as start-up')
  .action(async (dir: string | undefined, options: { offline?: boolean }) => {
    const config = loadConfig();
    try {
      const rules = loadRulesDirectory(dir ?? config.rules.dir, config.rules.variables);
      if (!options.offline) {
        const { problems, warnings } = await new DbTargetsCheck(config).check(rules);
        for (const warning of warnings) process.stderr.write(`warning: ${warning}\n`);
        if (problems.length > 0) throw new RulesValidationError(problems.sort(byPosition));
      }
      process.stdout.write(`ok: ${rules.sources.length} source(s), ${rules.rules.length} rule(s)\n`);
    } catch (error) {
      if (!(error instanceof RulesValidationError)) throw error;
      process.stderr.write(`${error.problems.map(formatProblem).join('\n')}\n`);
      process.exitCode = 1;
    }
  });

program
  .command('schema')
  .description('print the JSON Schema of rule files (schema/hookflow.schema.json is this output)')
  .action(() => {
    process.stdout.write(`${JSON.stringify(RULE_FILE_SCHEMA, null, 2)}\n`);
  });

async function waitForDatabaseAndMigrate(config: ReturnType<typeof loadConfig>): Promise<string[]> {
  if (await ensureDatabaseExists(config.database.url, config.database.connectTimeoutMs).catch(() => false)) {
    process.stdout.write('hookflow: created the database named in DATABASE_URL\n');
  }
  // Only PostgreSQL matters for migrations; the full check (Redis too) runs when apps start.
  await assertDependenciesReady(config, { migrations: false, redis: false });
  return runPendingMigrations(config);
}

program.parseAsync(process.argv).catch((error: unknown) => exitWithStartupFailure('cli', error));
