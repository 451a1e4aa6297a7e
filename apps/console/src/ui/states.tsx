import type { ComponentChildren } from 'preact';
import type { ApiProblem } from '../api/client';

export function Loading({ what = 'Loading' }: { what?: string }) {
  return (
    <p class="state state-loading" role="status" aria-live="polite">
      {what}…
    </p>
  );
}

/** An empty listing says why it may be empty and what to do, never just "no data". */
export function EmptyState({ title, children }: { title: string; children?: ComponentChildren }) {
  return (
    <div class="state state-empty" role="status">
      <p class="state-title">{title}</p>
      {children ? <div class="state-body">{children}</div> : null}
    </div>
  );
}

const WHAT_TO_DO: Record<string, string> = {
  unreachable: 'Check that the admin app is running, then retry.',
  forbidden: 'This needs a write key: sign in with one (hookflow apikey create --scope write).',
  not_found: 'It may have been deleted, or the link is mistyped.',
  invalid_request: 'A filter value is not valid: correct it and apply again.',
  internal_error: 'Hookflow logged the error with the request id above; check the admin app’s logs.',
  queue_unavailable: 'Redis is not taking jobs: nothing was replayed. Retry once Redis is back.',
};

export function ErrorState({ error, retry, title = 'Something went wrong' }: { error: ApiProblem; retry?: () => void; title?: string }) {
  return (
    <div class="state state-error" role="alert">
      <p class="state-title">{title}</p>
      <p>
        {error.message}
        {error.status ? (
          <span class="muted">
            {' '}
            ({error.status} {error.code})
          </span>
        ) : null}
      </p>
      {error.details.length > 0 ? (
        <ul>
          {error.details.map((detail) => (
            <li key={detail.path + detail.message}>
              <code>{detail.path}</code>: {detail.message}
            </li>
          ))}
        </ul>
      ) : null}
      {WHAT_TO_DO[error.code] ? <p class="muted">{WHAT_TO_DO[error.code]}</p> : null}
      {retry ? (
        <button type="button" class="button" onClick={retry}>
          Retry
        </button>
      ) : null}
    </div>
  );
}

export function Notice({ kind = 'info', children }: { kind?: 'info' | 'success' | 'warning' | 'error'; children: ComponentChildren }) {
  return (
    <div class={`notice notice-${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
      {children}
    </div>
  );
}
