import { Command } from 'commander';
import { AdminApi, AdminOptions, withAdminOptions } from '../admin-api';
import { pollInterval, positiveInteger, timeOrAgo } from '../option-parsers';

/** The fields of an event the feed lines show. */
interface EventSummary {
  id: string;
  sourceId: string;
  type: string | null;
  status: string;
  receivedAt: string;
}

interface EventPage {
  items: EventSummary[];
  nextCursor: string | null;
}

interface TailOptions extends AdminOptions {
  source?: string;
  json?: boolean;
  max?: number;
  interval: number;
  since?: string;
}

/** Events per poll; a full page is followed at once by the next. */
const PAGE_SIZE = 100;

/** `events tail`: follows new events through the pull feed (GET /events?order=asc). */
export function registerEventsCommands(program: Command): void {
  const events = program.command('events').description('events received by ingest');
  withAdminOptions(
    events
      .command('tail')
      .description('print each new event as a line as it arrives, until interrupted (Ctrl-C)')
      .option('--source <id>', 'only events of this source')
      .option('--json', 'print each event as a line of JSON')
      .option('--since <time>', 'start from this time (ISO-8601, or a duration ago such as 10m) instead of the newest event', timeOrAgo)
      .option('--max <n>', 'stop after this many events', positiveInteger)
      .option('--interval <duration>', 'how often to poll when there is nothing new', pollInterval, 1_000),
  ).action((options: TailOptions) => tail(options));
}

async function tail(options: TailOptions): Promise<void> {
  const api = new AdminApi(options);
  const stop = stopSignal();
  try {
    const start = await startingPoint(api, options);
    // On standard error, so standard output holds only events.
    process.stderr.write(
      `following ${options.source === undefined ? 'new events' : `new events of source "${options.source}"`}${start.from ? ` from ${start.from}` : ''} (Ctrl-C to stop)\n`,
    );
    let after: string | undefined;
    let shown = 0;
    while (!stop.requested) {
      const page = await api.get<EventPage>('/events', { order: 'asc', source: options.source, from: start.from, after, limit: PAGE_SIZE });
      for (const event of page.items) {
        if (event.id === start.skip) continue;
        process.stdout.write(`${options.json ? JSON.stringify(event) : line(event)}\n`);
        shown += 1;
        if (options.max !== undefined && shown >= options.max) return;
      }
      after = page.nextCursor ?? after;
      if (page.items.length < PAGE_SIZE) await stop.sleep(options.interval);
    }
  } finally {
    stop.dispose();
  }
}

/**
 * Where the feed starts: `--since`, else the newest event (by the server's clock, so a skewed local
 * clock misses nothing), which is not shown again.
 */
async function startingPoint(api: AdminApi, options: TailOptions): Promise<{ from?: string; skip?: string }> {
  if (options.since !== undefined) return { from: options.since };
  const newest = await api.get<EventPage>('/events', { order: 'desc', source: options.source, limit: 1 });
  const [event] = newest.items;
  return event ? { from: event.receivedAt, skip: event.id } : {};
}

function line(event: EventSummary): string {
  return [event.receivedAt, event.sourceId, event.type ?? '-', event.status, event.id].join('  ');
}

/** Ctrl-C ends the tail cleanly (exit 0) instead of killing it mid-line. */
function stopSignal(): { requested: boolean; sleep(ms: number): Promise<void>; dispose(): void } {
  let wake: (() => void) | undefined;
  const state = {
    requested: false,
    sleep: (ms: number): Promise<void> =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, ms);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      }),
    dispose: (): void => {
      process.off('SIGINT', onSignal);
    },
  };
  const onSignal = (): void => {
    state.requested = true;
    wake?.();
  };
  process.on('SIGINT', onSignal);
  return state;
}
