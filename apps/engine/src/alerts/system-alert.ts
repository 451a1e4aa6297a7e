/** The kinds of Hookflow's own events: the `type` of an event of the built-in `hookflow` source. */
export const SYSTEM_EVENT_TYPES = [
  'run.dead_lettered',
  'run.recovered',
  'source.silent',
  'source.failure_rate_high',
  'source.rejections_spike',
  'circuit.opened',
  'circuit.closed',
] as const;
export type SystemEventType = (typeof SYSTEM_EVENT_TYPES)[number];

/**
 * One of Hookflow's own events before it is stored. `subject` is what it is about (a rule id, a
 * source id, a destination's origin): events of one type and subject are coalesced per window.
 * `payload` is what rules see as `payload`: always a `summary` line, the subject's fields and a
 * `consoleUrl`; {@link SystemEvents} adds `type`, `occurredAt` and the `window`.
 */
export interface SystemAlert {
  type: SystemEventType;
  subject: string;
  payload: { summary: string; consoleUrl: string } & Record<string, unknown>;
}

/** The fixed window (of `windowMs`, aligned on the epoch) that `at` falls in. */
export function coalescingWindow(at: Date, windowMs: number): { start: Date; end: Date } {
  const start = Math.floor(at.getTime() / windowMs) * windowMs;
  return { start: new Date(start), end: new Date(start + windowMs) };
}

/**
 * The idempotency key of a system event: the same for every alert of one type and subject in one
 * window, so the events table's unique (source, idempotency key) keeps the first and drops the
 * rest, across every engine process, with no coordination of their own.
 */
export function coalescingKey(alert: Pick<SystemAlert, 'type' | 'subject'>, at: Date, windowMs: number): string {
  return `${alert.type}:${alert.subject}:${coalescingWindow(at, windowMs).start.toISOString()}`;
}
