import { DEAD_LETTER_CAUSES, DEAD_LETTER_STATUSES } from '@hookflow/persistence';
import { Command, Option } from 'commander';
import { createInterface } from 'node:readline/promises';
import { AdminApi, AdminOptions, withAdminOptions } from '../admin-api';
import { positiveInteger, timeOrAgo } from '../option-parsers';
import { CliError, printList } from '../output';

interface DeadLetter {
  id: string;
  ruleId: string;
  sourceId: string;
  cause: string;
  status: string;
  error: string;
  createdAt: string;
}

/** The filters a listing and a bulk replay share. */
interface SelectionOptions {
  rule?: string;
  source?: string;
  cause?: string;
  from?: string;
  to?: string;
}

interface ListOptions extends AdminOptions, SelectionOptions {
  status?: string;
  limit: number;
  json?: boolean;
}

interface ReplayOptions extends AdminOptions, SelectionOptions {
  all?: boolean;
  yes?: boolean;
}

type ReplayLine =
  | { replayed: number; total: number; deadLetterId: string; runId: string }
  | { failed: number; total: number; deadLetterId: string; error: string; message: string }
  | { done: true; replayed: number; failed: number; error?: string; message?: string };

/** Longest error shown in a table row; `--json` has it whole. */
const ERROR_WIDTH = 60;

/** `dead-letters list|replay`: review failed runs and run them again. */
export function registerDeadLetterCommands(program: Command): void {
  const deadLetters = program.command('dead-letters').description('runs that failed for good, kept for review and replay');

  withSelectionOptions(
    withAdminOptions(
      deadLetters
        .command('list')
        .description('list dead letters, newest first')
        .addOption(new Option('--status <status>', 'only dead letters in this state').choices(DEAD_LETTER_STATUSES))
        .option('--limit <n>', 'show at most this many', positiveInteger, 50)
        .option('--json', 'print JSON'),
    ),
  ).action((options: ListOptions) => list(options));

  withSelectionOptions(
    withAdminOptions(
      deadLetters
        .command('replay')
        .argument('[id]', 'the dead letter to replay')
        .description('replay one dead letter, or with --all every pending one the filters select (a count first, then each as it goes)')
        .option('--all', 'replay every pending dead letter the filters select')
        .option('--yes', 'replay without asking for confirmation'),
    ),
  ).action((id: string | undefined, options: ReplayOptions, command: Command) => {
    if ((id === undefined) === !options.all)
      command.error('give either a dead letter id or --all', { exitCode: 2, code: 'commander.usage' });
    return id === undefined ? replayAll(options) : replayOne(id, options);
  });
}

function withSelectionOptions(command: Command): Command {
  return command
    .option('--rule <id>', 'only dead letters of this rule')
    .option('--source <id>', 'only dead letters of events of this source')
    .addOption(new Option('--cause <cause>', 'only dead letters with this cause').choices(DEAD_LETTER_CAUSES))
    .option('--from <time>', 'created at or after this time (ISO-8601, or a duration ago such as 1h)', timeOrAgo)
    .option('--to <time>', 'created before this time (ISO-8601, or a duration ago)', timeOrAgo);
}

function selectionOf(options: SelectionOptions): SelectionOptions {
  const { rule, source, cause, from, to } = options;
  return Object.fromEntries(Object.entries({ rule, source, cause, from, to }).filter(([, value]) => value !== undefined));
}

async function list(options: ListOptions): Promise<void> {
  const rows: DeadLetter[] = [];
  const query = { ...selectionOf(options), status: options.status };
  for await (const deadLetter of new AdminApi(options).list<DeadLetter>('/dead-letters', query, options.limit)) {
    rows.push(deadLetter);
    if (rows.length >= options.limit) break;
  }
  if (options.json) {
    printList(rows, [], true);
    return;
  }
  const shown = rows.map((row) => ({
    ...row,
    error: row.error.length > ERROR_WIDTH ? `${row.error.slice(0, ERROR_WIDTH - 1)}…` : row.error,
  }));
  printList(shown, ['id', 'ruleId', 'sourceId', 'cause', 'status', 'createdAt', 'error'], false);
}

async function replayOne(id: string, options: ReplayOptions): Promise<void> {
  const replay = await new AdminApi(options).post<{ deadLetterId: string; runId: string }>(
    `/dead-letters/${encodeURIComponent(id)}/replay`,
  );
  process.stdout.write(`replayed dead letter ${replay.deadLetterId} as run ${replay.runId}\n`);
}

async function replayAll(options: ReplayOptions): Promise<void> {
  const api = new AdminApi(options);
  const filter = selectionOf(options);
  const { count } = await api.post<{ count: number }>('/dead-letters/replay', { filter, dryRun: true });
  process.stdout.write(`${count} pending dead letter${count === 1 ? '' : 's'} match\n`);
  if (count === 0) return;
  if (!options.yes && !(await confirmed(`replay ${count} dead letter${count === 1 ? '' : 's'}? [y/N] `))) {
    process.stdout.write('nothing replayed\n');
    return;
  }

  let done: Extract<ReplayLine, { done: true }> | undefined;
  let taken = 0;
  await api.postStreaming('/dead-letters/replay', { filter, dryRun: false }, (value) => {
    const line = value as ReplayLine;
    if ('done' in line) {
      done = line;
      return;
    }
    taken += 1;
    const outcome = 'runId' in line ? `replayed as run ${line.runId}` : `not replayed: ${line.message} (${line.error})`;
    process.stdout.write(`[${taken}/${line.total}] dead letter ${line.deadLetterId} ${outcome}\n`);
  });
  if (!done)
    throw new CliError('the replay stopped before it finished (the connection was closed); list dead letters to see where it got to');
  process.stdout.write(`replayed ${done.replayed}, failed ${done.failed}\n`);
  if (done.error !== undefined) throw new CliError(`the replay stopped: ${done.message ?? done.error}`);
  if (done.failed > 0) process.exitCode = 1;
}

/** Asks on the terminal; without one there is nobody to ask, so it says how to go on. */
async function confirmed(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) throw new CliError('not replaying without confirmation: run it on a terminal, or add --yes');
  const terminal = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return /^y(es)?$/i.test((await terminal.question(question)).trim());
  } finally {
    terminal.close();
  }
}
