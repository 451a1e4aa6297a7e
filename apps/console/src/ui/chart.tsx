import type { Schemas } from '../api/client';
import { formatClock, formatTime } from '../lib/format';

type Bucket = Schemas['SourceActivityBucketView'];

/**
 * Received, failed and rejected per interval, as bars: a trend says more than a number. Plain SVG
 * (no inline style, so the strict CSP holds); each bar has a <title> tooltip, and the chart an
 * aria-label with the totals for screen readers.
 */
export function ActivityChart({ buckets, bucket, compact = false }: { buckets: Bucket[]; bucket: string; compact?: boolean }) {
  const width = compact ? 168 : 1200;
  const height = compact ? 36 : 180;
  const axis = compact ? 0 : 18;
  const max = Math.max(1, ...buckets.map((entry) => Math.max(entry.events, entry.runsFailed, entry.rejected)));
  const slot = width / Math.max(1, buckets.length);
  const bar = Math.max(1, slot * (compact ? 0.8 : 0.7));
  const top = compact ? 2 : 18;
  const scale = (count: number): number => (count / max) * (height - axis - top);
  const totals = buckets.reduce(
    (sum, entry) => ({ events: sum.events + entry.events, failed: sum.failed + entry.runsFailed, rejected: sum.rejected + entry.rejected }),
    { events: 0, failed: 0, rejected: 0 },
  );
  const label = `${totals.events} received, ${totals.failed} runs failed, ${totals.rejected} rejected, per ${bucket}`;
  return (
    <figure class={compact ? 'chart chart-compact' : 'chart'}>
      <svg viewBox={`0 0 ${width} ${height}`} width={width} height={height} role="img" aria-label={label}>
        {!compact ? <line x1="0" x2={width} y1={height - axis} y2={height - axis} class="chart-axis" /> : null}
        {buckets.map((entry, index) => {
          const x = index * slot + (slot - bar) / 2;
          const base = height - axis;
          const received = scale(entry.events);
          const failed = scale(entry.runsFailed);
          const rejected = scale(entry.rejected);
          return (
            <g key={entry.start}>
              <title>
                {`${formatTime(entry.start)} (+${bucket}): ${entry.events} received, ${entry.runsSucceeded} runs succeeded, ${entry.runsFailed} failed, ${entry.rejected} rejected`}
              </title>
              <rect x={x} y={base - received} width={bar} height={received} class="bar-received" />
              <rect x={x + bar * 0.2} y={base - failed} width={bar * 0.6} height={failed} class="bar-failed" />
              {rejected > 0 ? <rect x={x} y={base - rejected - 1} width={bar} height={2} class="bar-rejected" /> : null}
            </g>
          );
        })}
        {!compact
          ? buckets
              .filter((_, index) => index % Math.ceil(buckets.length / 6) === 0)
              .map((entry) => {
                const index = buckets.indexOf(entry);
                return (
                  <text key={entry.start} x={index * slot + 2} y={height - 4} class="chart-label">
                    {formatClock(entry.start)}
                  </text>
                );
              })
          : null}
        {!compact ? (
          <text x={2} y={12} class="chart-label">
            {max} per {bucket} at most
          </text>
        ) : null}
      </svg>
      {!compact ? (
        <figcaption class="chart-legend">
          <span class="legend legend-received">received</span>
          <span class="legend legend-failed">runs failed</span>
          <span class="legend legend-rejected">rejected</span>
          <span class="muted">per {bucket}</span>
        </figcaption>
      ) : null}
    </figure>
  );
}

const RUN_ORDER = ['succeeded', 'failed', 'retrying', 'running', 'pending'] as const;

/** Runs of a rule by status, as one stacked bar with the counts beside it. */
export function RunStatusBar({ counts }: { counts: Partial<Record<(typeof RUN_ORDER)[number], number>> }) {
  const total = RUN_ORDER.reduce((sum, status) => sum + (counts[status] ?? 0), 0);
  if (total === 0) return <span class="muted">no runs</span>;
  let offset = 0;
  return (
    <span class="run-bar">
      <svg viewBox="0 0 100 10" width="100" height="10" role="img" aria-label={RUN_ORDER.map((s) => `${counts[s] ?? 0} ${s}`).join(', ')}>
        {RUN_ORDER.map((status) => {
          const share = ((counts[status] ?? 0) / total) * 100;
          const rect = share > 0 ? <rect key={status} x={offset} y="0" width={share} height="10" class={`seg-${status}`} /> : null;
          offset += share;
          return rect;
        })}
      </svg>
      <span class="run-bar-counts">
        {RUN_ORDER.filter((status) => (counts[status] ?? 0) > 0).map((status) => (
          <span key={status} class={`count count-${status}`}>
            {counts[status]} {status}
          </span>
        ))}
      </span>
    </span>
  );
}
