import { useEffect, useState } from 'preact/hooks';
import type { Schemas } from '../api/client';
import { shortId } from '../lib/format';
import { href } from '../router';
import type { Session } from '../session';
import { StatusBadge } from '../ui/badges';

export interface TrackedReplay {
  deadLetterId: string;
  runId: string;
}

type RunStatus = Schemas['RunView']['status'];
const FINISHED: RunStatus[] = ['succeeded', 'failed'];
const POLL_MS = 1000;
/** Followed one by one up to this many; a bigger replay is summed up and followed on the list. */
const MAX_FOLLOWED = 100;

/**
 * Follows the runs a replay made until each finishes: a succeeded run resolves its dead letter, a
 * failed one leaves a new pending dead letter. Polls `GET /runs/:id` while any is unfinished.
 */
export function ReplayTracker({
  session,
  replays,
  onSettled,
  onDismiss,
}: {
  session: Session;
  replays: TrackedReplay[];
  onSettled: () => void;
  onDismiss: () => void;
}) {
  const followed = replays.slice(0, MAX_FOLLOWED);
  const [statuses, setStatuses] = useState<Record<string, RunStatus>>({});
  const settled = followed.every((replay) => FINISHED.includes(statuses[replay.runId] as RunStatus));

  useEffect(() => {
    if (settled) {
      onSettled();
      return;
    }
    const timer = window.setTimeout(() => {
      const open = followed.filter((replay) => !FINISHED.includes(statuses[replay.runId] as RunStatus));
      void Promise.all(
        open.map((replay) =>
          session.api.get('/runs/{id}', { path: { id: replay.runId } }).then(
            (run) => [replay.runId, run.status] as const,
            () => [replay.runId, statuses[replay.runId] ?? 'pending'] as const,
          ),
        ),
      ).then((answers) => setStatuses((current) => ({ ...current, ...Object.fromEntries(answers) })));
    }, POLL_MS);
    return () => window.clearTimeout(timer);
  }, [statuses, settled]);

  const count = (status: RunStatus): number => followed.filter((replay) => statuses[replay.runId] === status).length;
  const succeeded = count('succeeded');
  const failed = count('failed');
  const open = followed.length - succeeded - failed;
  return (
    <section
      class={`panel tracker ${settled ? (failed > 0 ? 'tracker-warn' : 'tracker-ok') : ''}`}
      aria-labelledby="tracker-title"
      aria-live="polite"
    >
      <header class="panel-header">
        <h2 id="tracker-title">
          {settled ? 'Replay finished' : 'Following the replayed runs'}: {succeeded} of {followed.length} resolved
          {failed > 0 ? `, ${failed} failed again` : ''}
          {open > 0 ? `, ${open} in progress` : ''}
        </h2>
        <div class="panel-actions">
          <button type="button" class="button button-small" onClick={onDismiss}>
            Dismiss
          </button>
        </div>
      </header>
      <div class="panel-body">
        <progress max={followed.length} value={succeeded + failed} aria-label="Replayed runs finished" />
        {replays.length > MAX_FOLLOWED ? (
          <p class="muted">
            The first {MAX_FOLLOWED} of {replays.length} replays are followed here; the list below shows the rest as they settle.
          </p>
        ) : null}
        {failed > 0 ? (
          <p>
            Runs that failed again left new pending dead letters: <a href={href('/dead-letters', { status: 'pending' })}>review them</a>.
          </p>
        ) : null}
        <ul class="tracker-list">
          {followed.map((replay) => (
            <li key={replay.runId}>
              <a href={href(`/runs/${replay.runId}`)}>run {shortId(replay.runId)}</a>{' '}
              <StatusBadge status={statuses[replay.runId] ?? 'pending'} />{' '}
              <span class="muted">replays dead letter {shortId(replay.deadLetterId)}</span>
            </li>
          ))}
        </ul>
      </div>
    </section>
  );
}
