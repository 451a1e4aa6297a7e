import type { JSX } from 'preact';
import { useState } from 'preact/hooks';

/**
 * A JSON value as a collapsible tree. Only open nodes render their children, and long arrays and
 * objects render a slice at a time, so a 100 KB payload opens instantly and never breaks the layout.
 * Native <details>/<summary>: keyboard and screen readers work without extra code.
 */
const SLICE = 100;

export function JsonTree({ value, openDepth = 1 }: { value: unknown; openDepth?: number }) {
  return (
    <div class="json-tree">
      <JsonNode name={undefined} value={value} depth={0} openDepth={openDepth} />
    </div>
  );
}

function JsonNode({ name, value, depth, openDepth }: { name: string | undefined; value: unknown; depth: number; openDepth: number }) {
  const label = name === undefined ? null : <span class="json-key">{name}: </span>;
  if (value === null || typeof value !== 'object') {
    return (
      <div class="json-leaf">
        {label}
        <Scalar value={value} />
      </div>
    );
  }
  const entries: [string, unknown][] = Array.isArray(value) ? value.map((item, index) => [String(index), item]) : Object.entries(value);
  const summary = Array.isArray(value) ? `[${entries.length}]` : `{${entries.length}}`;
  if (entries.length === 0) {
    return (
      <div class="json-leaf">
        {label}
        <span class="json-punct">{Array.isArray(value) ? '[]' : '{}'}</span>
      </div>
    );
  }
  return <Branch label={label} summary={summary} entries={entries} depth={depth} openDepth={openDepth} />;
}

function Branch({
  label,
  summary,
  entries,
  depth,
  openDepth,
}: {
  label: JSX.Element | null;
  summary: string;
  entries: [string, unknown][];
  depth: number;
  openDepth: number;
}) {
  const [open, setOpen] = useState(depth < openDepth);
  const [shown, setShown] = useState(SLICE);
  return (
    <details class="json-branch" open={open} onToggle={(event) => setOpen(event.currentTarget.open)}>
      <summary>
        {label}
        <span class="json-punct">{summary}</span>
      </summary>
      {open ? (
        <div class="json-children">
          {entries.slice(0, shown).map(([key, child]) => (
            <JsonNode key={key} name={key} value={child} depth={depth + 1} openDepth={openDepth} />
          ))}
          {entries.length > shown ? (
            <button type="button" class="link-button" onClick={() => setShown(shown + SLICE * 5)}>
              Show {Math.min(SLICE * 5, entries.length - shown)} more of {entries.length - shown}
            </button>
          ) : null}
        </div>
      ) : null}
    </details>
  );
}

const LONG_STRING = 300;

function Scalar({ value }: { value: unknown }) {
  const [expanded, setExpanded] = useState(false);
  if (typeof value === 'string') {
    const long = value.length > LONG_STRING && !expanded;
    return (
      <span class="json-string">
        "{long ? value.slice(0, LONG_STRING) : value}"
        {long ? (
          <button type="button" class="link-button" onClick={() => setExpanded(true)}>
            … {value.length - LONG_STRING} more characters
          </button>
        ) : null}
      </span>
    );
  }
  if (typeof value === 'number') return <span class="json-number">{String(value)}</span>;
  if (typeof value === 'boolean') return <span class="json-boolean">{String(value)}</span>;
  return <span class="json-null">null</span>;
}
