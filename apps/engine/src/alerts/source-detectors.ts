import { parseDuration } from '@hookflow/config';
import { SourceSignals } from '@hookflow/persistence';
import { ConsoleLinks } from './console-links';
import { SystemAlert } from './system-alert';

/** The thresholds of HOOKFLOW_ALERT_* and the window the signals were counted over. */
export interface DetectorSettings {
  windowMs: number;
  failureRate: { percent: number; minRuns: number };
  rejections: number;
}

/**
 * The alerts a source's signals call for, now: `source.silent`, `source.failure_rate_high`,
 * `source.rejections_spike`. Pure, so thresholds test without a database or a clock.
 */
export function detectSourceAlerts(signals: SourceSignals, settings: DetectorSettings, links: ConsoleLinks, now: Date): SystemAlert[] {
  return [silence(signals, links, now), failureRate(signals, settings, links), rejectionSpike(signals, settings, links)].filter(
    (alert): alert is SystemAlert => alert !== undefined,
  );
}

/** Quiet for longer than its `expectEvery` since its latest event or, with none yet, since it was created (as source health says). */
export function silence(signals: SourceSignals, links: ConsoleLinks, now: Date): SystemAlert | undefined {
  const expectEvery = signals.expectEvery;
  if (typeof expectEvery !== 'string' && typeof expectEvery !== 'number') return undefined;
  const expectedMs = parseDuration(expectEvery);
  if (expectedMs === undefined) return undefined;
  const quietSince = signals.lastReceivedAt ?? signals.createdAt;
  const silentMs = now.getTime() - new Date(quietSince).getTime();
  if (silentMs <= expectedMs) return undefined;
  const since = signals.lastReceivedAt ? `its last event at ${new Date(quietSince).toISOString()}` : 'it was created (no event yet)';
  return {
    type: 'source.silent',
    subject: signals.sourceId,
    payload: {
      summary: `Source ${signals.sourceId} has been silent for ${formatDuration(silentMs)}, since ${since}; it expects an event every ${String(expectEvery)}`,
      source: signals.sourceId,
      expectEvery,
      lastReceivedAt: signals.lastReceivedAt ? new Date(signals.lastReceivedAt).toISOString() : null,
      silentForMs: silentMs,
      consoleUrl: links.source(signals.sourceId),
    },
  };
}

/** At least `percent` of the runs that finished, counted only from `minRuns` finished runs (a few failures are no rate). */
export function failureRate(signals: SourceSignals, settings: DetectorSettings, links: ConsoleLinks): SystemAlert | undefined {
  const finished = signals.runsFailed + signals.runsSucceeded;
  const { percent, minRuns } = settings.failureRate;
  if (finished < minRuns || signals.runsFailed * 100 < percent * finished) return undefined;
  const rate = Math.round((signals.runsFailed * 1000) / finished) / 10;
  const window = formatDuration(settings.windowMs);
  return {
    type: 'source.failure_rate_high',
    subject: signals.sourceId,
    payload: {
      summary: `Source ${signals.sourceId}: ${signals.runsFailed} of ${finished} runs failed (${rate}%) in the last ${window}; last error: ${signals.lastRunError ?? 'none recorded'}`,
      source: signals.sourceId,
      runsFailed: signals.runsFailed,
      runsSucceeded: signals.runsSucceeded,
      failureRatePercent: rate,
      thresholdPercent: percent,
      minRuns,
      windowMs: settings.windowMs,
      lastError: signals.lastRunError,
      consoleUrl: links.source(signals.sourceId),
    },
  };
}

/** At least `rejections` refused deliveries: usually a rotated secret, or a proxy that re-serialises bodies. */
export function rejectionSpike(signals: SourceSignals, settings: DetectorSettings, links: ConsoleLinks): SystemAlert | undefined {
  const byReason = signals.rejectionsByReason;
  const total = Object.values(byReason).reduce((sum, count) => sum + count, 0);
  if (total < settings.rejections) return undefined;
  const reasons = Object.entries(byReason)
    .sort(([, a], [, b]) => b - a)
    .map(([reason, count]) => `${reason} ×${count}`)
    .join(', ');
  return {
    type: 'source.rejections_spike',
    subject: signals.sourceId,
    payload: {
      summary: `Source ${signals.sourceId}: ${total} deliveries refused in the last ${formatDuration(settings.windowMs)} (${reasons})`,
      source: signals.sourceId,
      rejections: total,
      byReason,
      threshold: settings.rejections,
      windowMs: settings.windowMs,
      lastError: signals.lastRejectionMessage,
      consoleUrl: links.source(signals.sourceId),
    },
  };
}

const UNITS: readonly (readonly [string, number])[] = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1_000],
];

/** `2h 5m`, `45s`, `1d 3h`: the two largest units, for people reading an alert. */
export function formatDuration(ms: number): string {
  for (const [index, [unit, size]] of UNITS.entries()) {
    if (ms < size) continue;
    const first = Math.floor(ms / size);
    const next = UNITS[index + 1];
    const second = next ? Math.floor((ms - first * size) / next[1]) : 0;
    return next && second > 0 ? `${first}${unit} ${second}${next[0]}` : `${first}${unit}`;
  }
  return `${ms}ms`;
}
