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
 * The two states of a subject that have an event each: a problem and its end. An alert of one of
 * these kinds is coalesced against repeats of itself only since the subject last went the other
 * way, so "dead-lettered, recovered, dead-lettered again" in one window is three events and the
 * operator's latest message is never "recovered" while the rule is failing again.
 */
const OPPOSITE_KINDS: Partial<Record<SystemEventType, SystemEventType>> = {
  'run.dead_lettered': 'run.recovered',
  'run.recovered': 'run.dead_lettered',
  'circuit.opened': 'circuit.closed',
  'circuit.closed': 'circuit.opened',
};

/** The kind that undoes `type` (`run.recovered` for `run.dead_lettered`, …); undefined for a detector's kind. */
export function oppositeKind(type: SystemEventType): SystemEventType | undefined {
  return OPPOSITE_KINDS[type];
}

/**
 * The idempotency key of a system event: the same for every alert of one type and subject in one
 * window, so the events table's unique (source, idempotency key) keeps the first and drops the
 * rest, across every engine process, with no coordination of their own. `reversals` is how many
 * events of the opposite kind (see {@link oppositeKind}) the subject has in that window: each one
 * starts a new key (`<type>:<subject>:<window start>:<reversals>`), so a state the subject comes
 * back to is reported again, once.
 */
export function coalescingKey(alert: Pick<SystemAlert, 'type' | 'subject'>, at: Date, windowMs: number, reversals = 0): string {
  const key = `${alert.type}:${alert.subject}:${coalescingWindow(at, windowMs).start.toISOString()}`;
  return reversals > 0 ? `${key}:${reversals}` : key;
}
