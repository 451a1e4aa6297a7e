import { ConfigError } from '@hookflow/config';
import { RulesValidationError } from '@hookflow/rules';
import { StartupError } from './startup-checks';

/**
 * Prints why the process cannot go on and exits. Known start-up problems are one line each
 * (no stack trace): they name the variable, the file or the command that fixes them.
 */
export function exitWithStartupFailure(app: string, error: unknown): never {
  if (error instanceof ConfigError || error instanceof StartupError) {
    process.stderr.write(`hookflow ${app}: ${error.message.split('\n').join(`\nhookflow ${app}: `)}\n`);
  } else if (error instanceof RulesValidationError) {
    process.stderr.write(
      `hookflow ${app}: invalid rules (HOOKFLOW_RULES_DIR):\n${error.message
        .split('\n')
        .map((line) => `  ${line}`)
        .join('\n')}\n`,
    );
  } else {
    process.stderr.write(`hookflow ${app}: failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  }
  process.exit(1);
}
