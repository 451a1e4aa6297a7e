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
  payload?: boolean;
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
      .option('--payload', "add each event's payload (one more request per event: listings leave payloads out)")
      .option('--since <time>', 'start from this time (ISO-8601, or a duration ago such as 10m) instead of now', timeOrAgo)
      .option('--max <n>', 'stop after this many events', positiveInteger)
      .option('--interval <duration>', 'how often to poll when there is nothing new', pollInterval, 1_000),
  ).action((options: TailOptions) => tail(options));
}

async function tail(options: TailOptions): Promise<void> {
  const api = new AdminApi(options);
  const stop = stopSignal();
  try {
    // Without --since, from the feed's head: events that commit from now on, whatever their receive time.
    let after = options.since === undefined ? (await api.get<{ cursor: string }>('/events/feed/head')).cursor : undefined;
    // On standard error, so standard output holds only events.
    process.stderr.write(
      `following ${options.source === undefined ? 'new events' : `new events of source "${options.source}"`}${options.since ? ` from ${options.since}` : ''} (Ctrl-C to stop)\n`,
    );
    let shown = 0;
    while (!stop.requested) {
      const page = await api.get<EventPage>('/events', {
        order: 'asc',
        source: options.source,
        from: options.since,
        after,
        limit: PAGE_SIZE,
      });
      for (const event of page.items) {
        const shownEvent = options.payload ? await withPayload(api, event) : event;
        process.stdout.write(`${options.json ? JSON.stringify(shownEvent) : line(shownEvent)}\n`);
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

/** The event with its payload, from its detail (listings leave payloads out: they may be megabytes each). */
async function withPayload(api: AdminApi, event: EventSummary): Promise<EventSummary & { payload: unknown }> {
  const detail = await api.get<{ payload: unknown }>(`/events/${encodeURIComponent(event.id)}`);
  return { ...event, payload: detail.payload };
}

function line(event: EventSummary & { payload?: unknown }): string {
  const fields = [event.receivedAt, event.sourceId, event.type ?? '-', event.status, event.id];
  return ('payload' in event ? [...fields, JSON.stringify(event.payload)] : fields).join('  ');
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
