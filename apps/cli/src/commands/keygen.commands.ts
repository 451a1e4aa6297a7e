import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Command } from 'commander';
import { CliError } from '../output';

/** As many bytes as the AES-256 key derived from it; base64url keeps it 43 characters of one line. */
const KEY_BYTES = 32;
/** What HOOKFLOW_MASTER_KEY(_FILE) needs (libs/config). */
const MIN_KEY_LENGTH = 32;

/** `keygen`: a random master key, printed or written once to a file (HOOKFLOW_MASTER_KEY_FILE). */
export function registerKeygenCommands(program: Command): void {
  program
    .command('keygen')
    .description(
      `make a random master key (${KEY_BYTES} random bytes, base64url) and print it; with --file, write it to that file (mode 0600) only if the file does not exist`,
    )
    .option('--file <path>', 'the key file (HOOKFLOW_MASTER_KEY_FILE): created with a new key when absent, kept as it is when present')
    .action((options: { file?: string }) => {
      const key = randomBytes(KEY_BYTES).toString('base64url');
      if (options.file === undefined) {
        process.stdout.write(`${key}\n`);
        return;
      }
      if (options.file.trim() === '') throw new CliError('--file needs a path (the HOOKFLOW_MASTER_KEY_FILE to create)');
      const created = createKeyFile(options.file, key);
      process.stdout.write(
        created ? `hookflow: created a new master key in ${options.file}\n` : `hookflow: kept the master key already in ${options.file}\n`,
      );
    });
}

/**
 * Writes `key` to `path` unless a file is there, atomically: the key goes to a private temporary
 * file that is then hard-linked to `path`, so two concurrent runs cannot both create it and a crash
 * never leaves a partial key behind. Returns whether it created the file.
 */
function createKeyFile(path: string, key: string): boolean {
  if (existsSync(path)) {
    checkExistingKey(path);
    return false;
  }
  const directory = dirname(path);
  const temporary = join(directory, `.hookflow-keygen-${process.pid}-${randomBytes(6).toString('hex')}`);
  try {
    mkdirSync(directory, { recursive: true, mode: 0o700 });
    writeFileSync(temporary, `${key}\n`, { flag: 'wx', mode: 0o600 });
    chmodSync(temporary, 0o600);
    linkSync(temporary, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw new CliError(`cannot write the key file ${path}: ${(error as Error).message}`);
    }
    checkExistingKey(path);
    return false;
  } finally {
    rmSync(temporary, { force: true });
  }
}

/** A key file that is kept must hold a usable key: otherwise say so now, not when the apps start. */
function checkExistingKey(path: string): void {
  let existing: string;
  try {
    existing = readFileSync(path, 'utf8').trim();
  } catch (error) {
    throw new CliError(`${path} exists but cannot be read: ${(error as Error).message}`);
  }
  if (existing.length < MIN_KEY_LENGTH) {
    throw new CliError(
      `${path} exists but holds no key of at least ${MIN_KEY_LENGTH} characters; it is left alone: move it away to make a new key (secrets sealed under the old one cannot be read with a new one)`,
    );
  }
}
