import { SourceSignals } from '@hookflow/persistence';
import { ConsoleLinks } from './console-links';
import { detectSourceAlerts, DetectorSettings, failureRate, formatDuration, rejectionSpike, silence } from './source-detectors';

const NOW = new Date('2026-12-07T05:00:00Z');
const LINKS = new ConsoleLinks('https://hookflow.example/console');
const SETTINGS: DetectorSettings = { windowMs: 15 * 60_000, failureRate: { percent: 50, minRuns: 10 }, rejections: 20 };

function signals(overrides: Partial<SourceSignals> = {}): SourceSignals {
  return {
    sourceId: 'stripe',
    expectEvery: undefined,
    createdAt: new Date('2026-12-01T00:00:00Z'),
    lastReceivedAt: new Date('2026-12-07T04:59:00Z'),
    runsSucceeded: 0,
    runsFailed: 0,
    lastRunError: null,
    rejectionsByReason: {},
    lastRejectionMessage: null,
    ...overrides,
  };
}

describe('source alert detectors', () => {
  it('finds nothing to say about a quiet, healthy source', () => {
    expect(detectSourceAlerts(signals({ runsSucceeded: 40 }), SETTINGS, LINKS, NOW)).toEqual([]);
  });

  describe('source.silent', () => {
    it('fires when the last event is older than expectEvery, with a link to the source', () => {
      const alert = silence(signals({ expectEvery: '1h', lastReceivedAt: new Date('2026-12-07T03:30:00Z') }), LINKS, NOW);

      expect(alert?.type).toBe('source.silent');
      expect(alert?.subject).toBe('stripe');
      expect(alert?.payload).toMatchObject({
        source: 'stripe',
        expectEvery: '1h',
        lastReceivedAt: '2026-12-07T03:30:00.000Z',
        silentForMs: 90 * 60_000,
        consoleUrl: 'https://hookflow.example/console/sources/stripe',
      });
      expect(alert?.payload.summary).toContain('silent for 1h 30m');
    });

    it('stays quiet while the source is within expectEvery, and when it sets none', () => {
      expect(silence(signals({ expectEvery: '2h', lastReceivedAt: new Date('2026-12-07T03:30:00Z') }), LINKS, NOW)).toBeUndefined();
      expect(silence(signals({ lastReceivedAt: null }), LINKS, NOW)).toBeUndefined();
    });

    it('counts a source that never received anything as silent since it was created', () => {
      const alert = silence(
        signals({ expectEvery: 60_000, lastReceivedAt: null, createdAt: new Date('2026-12-07T04:58:00Z') }),
        LINKS,
        NOW,
      );

      expect(alert?.payload).toMatchObject({ lastReceivedAt: null, silentForMs: 120_000 });
    });
  });

  describe('source.failure_rate_high', () => {
    it('fires at the threshold once enough runs finished, carrying the counts and the last error', () => {
      const alert = failureRate(signals({ runsFailed: 5, runsSucceeded: 5, lastRunError: 'step notify: HTTP 500' }), SETTINGS, LINKS);

      expect(alert?.payload).toMatchObject({
        runsFailed: 5,
        runsSucceeded: 5,
        failureRatePercent: 50,
        thresholdPercent: 50,
        lastError: 'step notify: HTTP 500',
        windowMs: SETTINGS.windowMs,
      });
      expect(alert?.payload.summary).toBe('Source stripe: 5 of 10 runs failed (50%) in the last 15m; last error: step notify: HTTP 500');
    });

    it('stays quiet below the threshold, and below the minimum number of runs however bad the rate', () => {
      expect(failureRate(signals({ runsFailed: 4, runsSucceeded: 6 }), SETTINGS, LINKS)).toBeUndefined();
      expect(failureRate(signals({ runsFailed: 9, runsSucceeded: 0 }), SETTINGS, LINKS)).toBeUndefined();
    });
  });

  describe('source.rejections_spike', () => {
    it('fires at the threshold with the count by reason, the commonest first', () => {
      const alert = rejectionSpike(
        signals({ rejectionsByReason: { timestamp_stale: 2, signature_mismatch: 18 }, lastRejectionMessage: 'no secret matches' }),
        SETTINGS,
        LINKS,
      );

      expect(alert?.payload).toMatchObject({ rejections: 20, threshold: 20, lastError: 'no secret matches' });
      expect(alert?.payload.summary).toBe(
        'Source stripe: 20 deliveries refused in the last 15m (signature_mismatch ×18, timestamp_stale ×2)',
      );
    });

    it('stays quiet below the threshold', () => {
      expect(rejectionSpike(signals({ rejectionsByReason: { signature_mismatch: 19 } }), SETTINGS, LINKS)).toBeUndefined();
    });
  });

  it('writes durations with their two largest units', () => {
    expect(formatDuration(90 * 60_000)).toBe('1h 30m');
    expect(formatDuration(3_600_000)).toBe('1h');
    expect(formatDuration(26 * 3_600_000 + 59_000)).toBe('1d 2h');
    expect(formatDuration(45_000)).toBe('45s');
    expect(formatDuration(250)).toBe('250ms');
  });
});
