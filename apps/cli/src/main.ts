#!/usr/bin/env node
import './tracing.bootstrap'; // first: see the file
import 'reflect-metadata';
import { exitWithStartupFailure } from '@hookflow/runtime';
import { Command, CommanderError } from 'commander';
import { registerApiKeyCommands } from './commands/apikey.commands';
import { registerApplyCommands } from './commands/apply.commands';
import { registerDeadLetterCommands } from './commands/dead-letters.commands';
import { registerEventsCommands } from './commands/events.commands';
import { registerExportCommands } from './commands/export.commands';
import { registerKeygenCommands } from './commands/keygen.commands';
import { registerRulesCommands } from './commands/rules.commands';
import { registerRunsCommands } from './commands/runs.commands';
import { registerSendCommands } from './commands/send.commands';
import { registerServerCommands } from './commands/server.commands';
import { CliError } from './output';

/** Exit codes: 0 ok, 1 failure, 2 usage (an unknown command or option, a missing argument). */
const program = new Command('hookflow')
  .description('Hookflow: verify, store and act on webhooks.')
  .showHelpAfterError()
  .exitOverride((error: CommanderError) => {
    const usage = error.exitCode !== 0 && error.code.startsWith('commander.') && error.code !== 'commander.executeSubCommandAsync';
    process.exit(usage ? 2 : error.exitCode);
  });

registerServerCommands(program);
registerRulesCommands(program);
registerApiKeyCommands(program);
registerKeygenCommands(program);
registerApplyCommands(program);
registerExportCommands(program);
registerSendCommands(program);
registerEventsCommands(program);
registerDeadLetterCommands(program);
registerRunsCommands(program);

program.parseAsync(process.argv).catch((error: unknown) => {
  if (error instanceof CliError) {
    process.stderr.write(`hookflow: ${error.message}\n`);
    process.exit(1);
  }
  exitWithStartupFailure('cli', error);
});
