import { DbTargetsCheck } from '@hookflow/actions';
import { loadConfig } from '@hookflow/config';
import { byPosition, formatProblem, loadRulesDirectory, RULE_FILE_SCHEMA, RulesValidationError } from '@hookflow/rules';
import { Command } from 'commander';

/** `validate` and `schema`: rule files without a running Hookflow. */
export function registerRulesCommands(program: Command): void {
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
}
