import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiProblem, type BulkReplayLine, type Query } from '../api/client';
import { formatCount } from '../lib/format';
import { asProblem } from '../lib/use-async';
import type { Session } from '../session';
import { Dialog } from '../ui/dialog';
import { ErrorState, Loading, Notice } from '../ui/states';
import type { TrackedReplay } from './replay-tracker';

/** Replay the dead letters picked one by one, or every pending one a filter selects (a bulk replay on the server). */
export type ReplayRequest = { kind: 'ids'; ids: string[] } | { kind: 'filter'; filter: Query<'/dead-letters/groups', 'get'> };

interface Failure {
  deadLetterId: string;
  message: string;
}

/**
 * Shows the count first (a bulk replay's dry run), replays on confirmation, then the progress, one
 * step per dead letter. Closing the dialog while it runs stops the replay after the dead letter in hand.
 */
export function ReplayDialog({
  session,
  request,
  onClose,
  onReplayed,
}: {
  session: Session;
  request: ReplayRequest;
  onClose: () => void;
  onReplayed: (replays: TrackedReplay[]) => void;
}) {
  const { api } = session;
  const [count, setCount] = useState<number>();
  const [countError, setCountError] = useState<ApiProblem>();
  const [phase, setPhase] = useState<'confirm' | 'running' | 'done'>('confirm');
  const [progress, setProgress] = useState({ replayed: 0, failed: 0, total: 0 });
  const [failures, setFailures] = useState<Failure[]>([]);
  const [fatal, setFatal] = useState<ApiProblem>();
  const replays = useRef<TrackedReplay[]>([]);
  const controller = useRef(new AbortController());

  useEffect(() => {
    if (request.kind === 'ids') {
      setCount(request.ids.length);
      return;
    }
    const { status: _status, ...filter } = request.filter;
    api.post('/dead-letters/replay', { body: { filter, dryRun: true } }).then(
      (answer) => setCount(answer.count),
      (error: unknown) => setCountError(asProblem(error)),
    );
    return () => controller.current.abort();
  }, []);

  const run = async (): Promise<void> => {
    setPhase('running');
    const total = count ?? 0;
    setProgress({ replayed: 0, failed: 0, total });
    try {
      if (request.kind === 'ids') await replayEach(request.ids, total);
      else await replayByFilter(request.filter);
    } catch (error) {
      if ((error as Error).name !== 'AbortError') setFatal(asProblem(error));
    }
    setPhase('done');
    onReplayed(replays.current);
  };

  const replayEach = async (ids: string[], total: number): Promise<void> => {
    let replayed = 0;
    let failed = 0;
    for (const id of ids) {
      if (controller.current.signal.aborted) return;
      try {
        const answer = await api.post('/dead-letters/{id}/replay', { path: { id } });
        replays.current.push({ deadLetterId: id, runId: answer.runId });
        replayed += 1;
      } catch (error) {
        failed += 1;
        setFailures((current) => [...current, { deadLetterId: id, message: asProblem(error).message }]);
      }
      setProgress({ replayed, failed, total });
    }
  };

  const replayByFilter = async (selection: Query<'/dead-letters/groups', 'get'>): Promise<void> => {
    const { status: _status, ...filter } = selection;
    await api.bulkReplay(
      filter,
      (line: BulkReplayLine) => {
        if ('done' in line) {
          setProgress((current) => ({ ...current, replayed: line.replayed, failed: line.failed }));
          if (line.error) setFatal(new ApiProblem(500, line.error, line.message ?? line.error));
        } else if ('runId' in line) {
          replays.current.push({ deadLetterId: line.deadLetterId, runId: line.runId });
          setProgress((current) => ({ ...current, replayed: line.replayed, total: line.total }));
        } else {
          setFailures((current) => [...current, { deadLetterId: line.deadLetterId, message: line.message }]);
          setProgress((current) => ({ ...current, failed: line.failed, total: line.total }));
        }
      },
      controller.current.signal,
    );
  };

  const close = (): void => {
    controller.current.abort();
    onClose();
  };
  const done = progress.replayed + progress.failed;
  return (
    <Dialog title="Replay dead letters" onClose={close}>
      {phase === 'confirm' ? (
        countError ? (
          <ErrorState error={countError} />
        ) : count === undefined ? (
          <Loading what="Counting" />
        ) : count === 0 ? (
          <Notice>No pending dead letter matches: nothing to replay.</Notice>
        ) : (
          <>
            <p class="confirm-count">
              Replay <strong>{formatCount(count)}</strong> dead letter{count === 1 ? '' : 's'}?
            </p>
            <p class="muted">
              Each becomes a new run of its event with the rule’s current version, on the replay queue (it never delays live events). A dead
              letter is resolved when its new run succeeds.
            </p>
          </>
        )
      ) : (
        <div class="progress-block" aria-live="polite">
          <progress max={Math.max(progress.total, 1)} value={done} aria-label="Replay progress" />
          <p class="progress-text">
            {phase === 'running' ? 'Replaying… ' : 'Done: '}
            {formatCount(progress.replayed)} of {formatCount(progress.total)} replayed
            {progress.failed > 0 ? `, ${formatCount(progress.failed)} refused` : ''}
          </p>
          {fatal ? <ErrorState error={fatal} title="The replay stopped" /> : null}
          {failures.length > 0 ? (
            <ul class="failures">
              {failures.slice(0, 20).map((failure) => (
                <li key={failure.deadLetterId}>
                  <code>{failure.deadLetterId.slice(0, 8)}</code>: {failure.message}
                </li>
              ))}
            </ul>
          ) : null}
        </div>
      )}
      <div class="dialog-actions">
        {phase === 'confirm' ? (
          <>
            <button type="button" class="button" onClick={close}>
              Cancel
            </button>
            <button type="button" class="button button-primary" disabled={!count} onClick={() => void run()} autoFocus>
              Replay {count === undefined ? '' : formatCount(count)}
            </button>
          </>
        ) : (
          <button type="button" class="button button-primary" onClick={close} autoFocus={phase === 'done'}>
            {phase === 'running' ? 'Stop' : 'Close'}
          </button>
        )}
      </div>
    </Dialog>
  );
}

/** Discards the dead letters picked, with the reason an operator gives (kept with each). */
export function DiscardDialog({
  session,
  ids,
  onClose,
  onDiscarded,
}: {
  session: Session;
  ids: string[];
  onClose: () => void;
  onDiscarded: () => void;
}) {
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(0);
  const [failures, setFailures] = useState<Failure[]>([]);

  const submit = async (event: Event): Promise<void> => {
    event.preventDefault();
    setBusy(true);
    for (const id of ids) {
      try {
        await session.api.post('/dead-letters/{id}/discard', { path: { id }, body: { reason: reason.trim() } });
      } catch (error) {
        setFailures((current) => [...current, { deadLetterId: id, message: asProblem(error).message }]);
      }
      setDone((count) => count + 1);
    }
    setBusy(false);
    onDiscarded();
  };
  const finished = done === ids.length && !busy && done > 0;
  return (
    <Dialog title={`Discard ${ids.length} dead letter${ids.length === 1 ? '' : 's'}`} onClose={onClose}>
      <form onSubmit={(event) => void submit(event)}>
        <label class="field">
          <span class="field-label">Why are they dropped? (kept with each dead letter)</span>
          <textarea
            required
            maxLength={1000}
            rows={3}
            value={reason}
            disabled={busy || finished}
            onInput={(event) => setReason(event.currentTarget.value)}
            autoFocus
          />
        </label>
        {busy || finished ? (
          <div class="progress-block" aria-live="polite">
            <progress max={ids.length} value={done} aria-label="Discard progress" />
            <p class="progress-text">
              {done} of {ids.length} done{failures.length > 0 ? `, ${failures.length} refused` : ''}
            </p>
            <ul class="failures">
              {failures.map((failure) => (
                <li key={failure.deadLetterId}>
                  <code>{failure.deadLetterId.slice(0, 8)}</code>: {failure.message}
                </li>
              ))}
            </ul>
          </div>
        ) : null}
        <div class="dialog-actions">
          <button type="button" class="button" onClick={onClose}>
            {finished ? 'Close' : 'Cancel'}
          </button>
          {!finished ? (
            <button type="submit" class="button button-danger" disabled={busy || reason.trim() === ''}>
              Discard
            </button>
          ) : null}
        </div>
      </form>
    </Dialog>
  );
}
