import { coalescingKey, coalescingWindow, oppositeKind } from './system-alert';

const MINUTES_15 = 15 * 60_000;

describe('coalescing of system events', () => {
  it('gives every alert of one type and subject in one window the same key', () => {
    const alert = { type: 'run.dead_lettered', subject: 'large-order' } as const;

    const first = coalescingKey(alert, new Date('2026-12-07T05:00:00.000Z'), MINUTES_15);
    const last = coalescingKey(alert, new Date('2026-12-07T05:14:59.999Z'), MINUTES_15);

    expect(first).toBe('run.dead_lettered:large-order:2026-12-07T05:00:00.000Z');
    expect(last).toBe(first);
  });

  it('starts a new key when the window turns', () => {
    const alert = { type: 'source.silent', subject: 'stripe' } as const;

    expect(coalescingKey(alert, new Date('2026-12-07T05:15:00.000Z'), MINUTES_15)).not.toBe(
      coalescingKey(alert, new Date('2026-12-07T05:14:59.999Z'), MINUTES_15),
    );
  });

  it('keeps other subjects and other types apart within one window', () => {
    const at = new Date('2026-12-07T05:07:00Z');
    const keys = new Set([
      coalescingKey({ type: 'circuit.opened', subject: 'https://a.example' }, at, MINUTES_15),
      coalescingKey({ type: 'circuit.opened', subject: 'https://b.example' }, at, MINUTES_15),
      coalescingKey({ type: 'circuit.closed', subject: 'https://a.example' }, at, MINUTES_15),
    ]);

    expect(keys.size).toBe(3);
  });

  it('aligns windows on the epoch, so every engine process computes the same one', () => {
    expect(coalescingWindow(new Date('2026-12-07T05:07:31Z'), MINUTES_15)).toEqual({
      start: new Date('2026-12-07T05:00:00Z'),
      end: new Date('2026-12-07T05:15:00Z'),
    });
  });

  it('starts a new key for each time the subject went the other way in the window', () => {
    const alert = { type: 'run.dead_lettered', subject: 'large-order' } as const;
    const at = new Date('2026-12-07T05:07:00Z');

    expect(coalescingKey(alert, at, MINUTES_15, 0)).toBe('run.dead_lettered:large-order:2026-12-07T05:00:00.000Z');
    expect(coalescingKey(alert, at, MINUTES_15, 1)).toBe('run.dead_lettered:large-order:2026-12-07T05:00:00.000Z:1');
    expect(coalescingKey(alert, at, MINUTES_15, 2)).not.toBe(coalescingKey(alert, at, MINUTES_15, 1));
  });

  it("pairs each problem with its end, and leaves the detectors' kinds unpaired", () => {
    expect(oppositeKind('run.dead_lettered')).toBe('run.recovered');
    expect(oppositeKind('run.recovered')).toBe('run.dead_lettered');
    expect(oppositeKind('circuit.opened')).toBe('circuit.closed');
    expect(oppositeKind('circuit.closed')).toBe('circuit.opened');
    expect(oppositeKind('source.silent')).toBeUndefined();
    expect(oppositeKind('source.failure_rate_high')).toBeUndefined();
  });
});
