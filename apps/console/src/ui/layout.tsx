import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { href, useLocation } from '../router';
import type { Session } from '../session';

const NAV: { path: string; label: string }[] = [
  { path: '/', label: 'Overview' },
  { path: '/dead-letters', label: 'Dead letters' },
  { path: '/events', label: 'Events' },
  { path: '/rules', label: 'Rules' },
  { path: '/sources', label: 'Sources' },
  { path: '/rejections', label: 'Rejections' },
];

export function Layout({ session, onSignOut, children }: { session: Session; onSignOut: () => void; children: ComponentChildren }) {
  const { path } = useLocation();
  const current = NAV.filter((item) => (item.path === '/' ? path === '/' : path.startsWith(item.path)))[0];
  useEffect(() => {
    document.title = current ? `${current.label} · Hookflow console` : 'Hookflow console';
  }, [current]);
  // A new view (not a new filter of the same one) starts keyboard and screen reader users at its content.
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    document.getElementById('main')?.focus({ preventScroll: true });
  }, [path]);
  return (
    <div class="shell">
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="topbar">
        <a class="brand" href={href('/')}>
          <span class="brand-mark" aria-hidden="true">
            H
          </span>
          Hookflow
        </a>
        <nav class="nav" aria-label="Views">
          {NAV.map((item) => (
            <a key={item.path} href={href(item.path)} aria-current={item === current ? 'page' : undefined}>
              {item.label}
            </a>
          ))}
        </nav>
        <div class="whoami">
          <span class="key-name" title={`API key ${session.key.prefix}…`}>
            {session.key.name}
          </span>
          <span
            class={`badge badge-${session.canWrite ? 'info' : 'muted'}`}
            title={session.canWrite ? 'Can replay, discard and edit' : 'Sees everything; cannot change anything'}
          >
            {session.key.scope}
          </span>
          <button type="button" class="button button-small" onClick={onSignOut}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" class="main" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}
