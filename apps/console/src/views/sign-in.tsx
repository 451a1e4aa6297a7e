import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiProblem } from '../api/client';
import { asProblem } from '../lib/use-async';
import { type Session, signIn } from '../session';
import { Notice } from '../ui/states';

export function SignInView({ onSignedIn, reason }: { onSignedIn: (session: Session) => void; reason?: string }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<ApiProblem>();
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => {
    document.title = 'Sign in · Hookflow console';
    input.current?.focus();
  }, []);

  const submit = async (event: Event): Promise<void> => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      onSignedIn(await signIn(key.trim()));
    } catch (failure) {
      setError(asProblem(failure));
      input.current?.select();
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="sign-in" id="main">
      <form class="sign-in-card" onSubmit={(event) => void submit(event)} aria-describedby="sign-in-help">
        <h1>
          <span class="brand-mark" aria-hidden="true">
            H
          </span>
          Hookflow console
        </h1>
        {reason ? <Notice>{reason}</Notice> : null}
        <label class="field">
          <span class="field-label">Admin API key</span>
          <input
            ref={input}
            type="password"
            name="api-key"
            autoComplete="off"
            spellcheck={false}
            required
            placeholder="hfk_…"
            value={key}
            onInput={(event) => setKey(event.currentTarget.value)}
            aria-invalid={error ? true : undefined}
            aria-errormessage={error ? 'sign-in-error' : undefined}
          />
        </label>
        {error ? (
          <p class="field-error" id="sign-in-error" role="alert">
            {error.status === 401 ? 'That key is not valid or has been revoked.' : error.message}
          </p>
        ) : null}
        <button type="submit" class="button button-primary" disabled={busy || key.trim() === ''}>
          {busy ? 'Checking…' : 'Sign in'}
        </button>
        <p id="sign-in-help" class="muted">
          Make a key with <code>hookflow apikey create --name me --scope write</code> (or <code>--scope read</code> to look without changing
          anything). The key stays in this browser tab only and is removed when you sign out or close the tab.
        </p>
      </form>
    </main>
  );
}
