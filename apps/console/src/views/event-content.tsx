import { useState } from 'preact/hooks';
import type { Schemas } from '../api/client';
import { formatBytes } from '../lib/format';
import { CodeBlock } from '../ui/bits';
import { JsonTree } from '../ui/json-tree';

/** What a delivery carried: headers (credentials masked by the API), the raw body as received, the parsed payload. */
export function EventContent({ event }: { event: Schemas['EventDetailView'] }) {
  const [tab, setTab] = useState<'payload' | 'raw' | 'headers'>('payload');
  const headers = Object.entries(event.headers).sort(([a], [b]) => a.localeCompare(b));
  const tabs = [
    ['payload', 'Parsed payload'],
    ['raw', `Raw body (${formatBytes(event.body.bytes)})`],
    ['headers', `Headers (${headers.length})`],
  ] as const;
  return (
    <div class="event-content">
      <div class="tabs" role="tablist" aria-label="Event content">
        {tabs.map(([name, label]) => (
          <button
            key={name}
            type="button"
            role="tab"
            id={`tab-${name}`}
            aria-selected={tab === name}
            aria-controls={`panel-${name}`}
            tabIndex={tab === name ? 0 : -1}
            class={tab === name ? 'tab active' : 'tab'}
            onClick={() => setTab(name)}
            onKeyDown={(keyEvent) => {
              const index = tabs.findIndex(([candidate]) => candidate === tab);
              const step = keyEvent.key === 'ArrowRight' ? 1 : keyEvent.key === 'ArrowLeft' ? -1 : 0;
              if (step === 0) return;
              const next = tabs[(index + step + tabs.length) % tabs.length];
              if (next) {
                setTab(next[0]);
                document.getElementById(`tab-${next[0]}`)?.focus();
              }
            }}
          >
            {label}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`} class="tab-panel">
        {tab === 'payload' ? (
          event.payload === null || event.payload === undefined ? (
            <p class="muted">No parsed payload.</p>
          ) : (
            <JsonTree value={event.payload} openDepth={2} />
          )
        ) : tab === 'raw' ? (
          event.body.text !== null ? (
            <CodeBlock label="Raw body">{event.body.text || '(empty body)'}</CodeBlock>
          ) : (
            <>
              <p class="muted">The body is not UTF-8 text; base64:</p>
              <CodeBlock label="Raw body, base64">{event.body.base64}</CodeBlock>
            </>
          )
        ) : (
          <table class="table kv">
            <tbody>
              {headers.map(([name, value]) => (
                <tr key={name}>
                  <th scope="row">
                    <code>{name}</code>
                  </th>
                  <td class={value === '[redacted]' ? 'muted' : 'break'}>{value}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
      <p class="muted small">Signature, token and credential headers are masked by the admin API; the console never sees them.</p>
    </div>
  );
}
