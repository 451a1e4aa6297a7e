import { causeInfo, SIDE_LABEL } from '../lib/vocabulary';

const TONE: Record<string, string> = {
  succeeded: 'good',
  resolved: 'good',
  dispatched: 'good',
  failed: 'bad',
  pending: 'warn',
  retrying: 'warn',
  running: 'info',
  received: 'info',
  replayed: 'info',
  discarded: 'muted',
  unmatched: 'muted',
  ignored: 'muted',
};

export function StatusBadge({ status }: { status: string }) {
  return <span class={`badge badge-${TONE[status] ?? 'muted'}`}>{status}</span>;
}

export function CauseBadge({ cause }: { cause: string }) {
  const meta = causeInfo(cause);
  return (
    <span class={`badge badge-cause badge-${meta.side}`} title={`${meta.hint} (${SIDE_LABEL[meta.side]})`}>
      {meta.label}
    </span>
  );
}

export function OriginBadge({ origin }: { origin: 'yaml' | 'api' | 'yaml-removed' }) {
  const title =
    origin === 'yaml'
      ? 'Defined in the rules directory: read-only here, edit the file'
      : origin === 'api'
        ? 'Managed through the admin API: editable here'
        : 'No longer in the rules directory: editable here, or taken back if the directory defines it again';
  return (
    <span class={`badge badge-origin badge-${origin === 'yaml' ? 'muted' : 'info'}`} title={title}>
      {origin === 'yaml' ? 'YAML' : origin === 'api' ? 'API' : 'YAML removed'}
    </span>
  );
}

export function EnabledBadge({ enabled }: { enabled: boolean }) {
  return <span class={`badge badge-${enabled ? 'good' : 'muted'}`}>{enabled ? 'enabled' : 'paused'}</span>;
}
