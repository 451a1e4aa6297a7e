import { Logger } from '@nestjs/common';
import {
  CircuitAdmission,
  CircuitBreakers,
  CircuitTicket,
  CircuitTransition,
  DestinationHealth,
  MAX_TRACKED_DESTINATIONS,
} from './circuit-breaker';

const HOOKS = new URL('https://hooks.example.com/T000/B000');
const OTHER = new URL('https://api.example.net/orders');

/** Breakers on a clock the test moves: 3 failures open a circuit, which rests 1 s (10 s at most). */
function breakers(settings = { failures: 3, cooldownMs: 1_000 }): {
  circuits: CircuitBreakers;
  advance: (ms: number) => void;
  call: (url: URL, health: DestinationHealth) => CircuitAdmission;
} {
  let now = Date.parse('2026-01-01T12:00:00Z');
  const circuits = new CircuitBreakers(settings, () => now);
  return {
    circuits,
    advance: (ms) => {
      now += ms;
    },
    // One whole call: admitted or not, and when admitted, settled with `health`.
    call: (url, health) => {
      const admission = circuits.admit(url);
      if (admission.admitted) circuits.settle(admission.ticket, health);
      return admission;
    },
  };
}

function ticketOf(admission: CircuitAdmission): CircuitTicket {
  if (!admission.admitted) throw new Error(`expected the call to be admitted, it was deferred: ${admission.reason}`);
  return admission.ticket;
}

describe('CircuitBreakers', () => {
  beforeAll(() => {
    Logger.overrideLogger(false);
  });

  it('lets calls through while failures stay under the threshold', () => {
    const { circuits, call } = breakers();

    expect(call(HOOKS, 'down').admitted).toBe(true);
    expect(call(HOOKS, 'down').admitted).toBe(true);

    expect(circuits.state(HOOKS)).toBe('closed');
    expect(call(HOOKS, 'down').admitted).toBe(true);
  });

  it('opens after 3 failures in a row and defers calls until the cool-down has passed, without admitting any', () => {
    const { circuits, call, advance } = breakers();
    for (let i = 0; i < 3; i++) call(HOOKS, 'down');

    expect(circuits.state(HOOKS)).toBe('open');
    expect(call(HOOKS, 'up')).toEqual({ admitted: false, reason: 'circuit open for https://hooks.example.com', retryInMs: 1_000 });
    advance(400);
    expect(call(HOOKS, 'up')).toEqual({ admitted: false, reason: 'circuit open for https://hooks.example.com', retryInMs: 600 });
    expect(circuits.state(HOOKS)).toBe('open');
  });

  it('lets exactly one probe through once half-open, deferring the others while it is in flight', () => {
    const { circuits, call, advance } = breakers();
    for (let i = 0; i < 3; i++) call(HOOKS, 'down');
    advance(1_000);
    expect(circuits.state(HOOKS)).toBe('half-open');

    const probe = circuits.admit(HOOKS);
    const second = circuits.admit(HOOKS);
    const third = circuits.admit(HOOKS);

    expect(ticketOf(probe).probe).toBe(true);
    expect(second).toEqual({ admitted: false, reason: 'circuit open for https://hooks.example.com', retryInMs: 1_000 });
    expect(third.admitted).toBe(false);
  });

  it('closes when the probe succeeds: calls go through and the failure count starts over', () => {
    const { circuits, call, advance } = breakers();
    for (let i = 0; i < 3; i++) call(HOOKS, 'down');
    advance(1_000);

    circuits.settle(ticketOf(circuits.admit(HOOKS)), 'up');

    expect(circuits.state(HOOKS)).toBe('closed');
    expect(ticketOf(circuits.admit(HOOKS)).probe).toBe(false);
    call(HOOKS, 'down');
    call(HOOKS, 'down');
    expect(circuits.state(HOOKS)).toBe('closed');
  });

  it('re-opens when the probe fails, resting twice as long each time, up to 10 times the cool-down', () => {
    const { circuits, call, advance } = breakers();
    for (let i = 0; i < 3; i++) call(HOOKS, 'down');
    const rests: number[] = [];
    for (let probe = 0; probe < 6; probe++) {
      advance(rests[rests.length - 1] ?? 1_000);
      expect(circuits.state(HOOKS)).toBe('half-open');
      circuits.settle(ticketOf(circuits.admit(HOOKS)), 'down');
      const deferred = circuits.admit(HOOKS);
      if (deferred.admitted) throw new Error('expected the circuit to be open again');
      rests.push(deferred.retryInMs);
    }

    expect(rests).toEqual([2_000, 4_000, 8_000, 10_000, 10_000, 10_000]);
    advance(9_999);
    expect(circuits.state(HOOKS)).toBe('open');
    advance(1);
    expect(circuits.state(HOOKS)).toBe('half-open');
  });

  it('lets the next call probe when the probe learnt nothing (its address was refused)', () => {
    const { circuits, call, advance } = breakers();
    for (let i = 0; i < 3; i++) call(HOOKS, 'down');
    advance(1_000);

    circuits.settle(ticketOf(circuits.admit(HOOKS)), 'unknown');

    expect(circuits.state(HOOKS)).toBe('half-open');
    expect(ticketOf(circuits.admit(HOOKS)).probe).toBe(true);
  });

  it('starts counting over after an answer that is not a failure (a 4xx means the host is up)', () => {
    const { circuits, call } = breakers();
    call(HOOKS, 'down');
    call(HOOKS, 'down');
    call(HOOKS, 'up'); // a 404, or a 2xx
    call(HOOKS, 'down');
    call(HOOKS, 'down');

    expect(circuits.state(HOOKS)).toBe('closed');
    call(HOOKS, 'down');
    expect(circuits.state(HOOKS)).toBe('open');
  });

  it('counts neither way a call that reached nothing', () => {
    const { circuits, call } = breakers();
    call(HOOKS, 'down');
    call(HOOKS, 'down');
    call(HOOKS, 'unknown');

    call(HOOKS, 'down');
    expect(circuits.state(HOOKS)).toBe('open');
  });

  it('keeps one circuit per destination: scheme, host and port', () => {
    const { circuits, call } = breakers();
    for (let i = 0; i < 3; i++) call(HOOKS, 'down');

    expect(circuits.state(HOOKS)).toBe('open');
    expect(circuits.state('https://hooks.example.com:443/elsewhere?x=1')).toBe('open');
    expect(call(OTHER, 'up').admitted).toBe(true);
    expect(circuits.state(OTHER)).toBe('closed');
    expect(circuits.state('https://hooks.example.com:8443/T000')).toBe('closed');
    expect(circuits.state('http://hooks.example.com/T000')).toBe('closed');
  });

  it('ignores results of calls admitted before the circuit opened: only the probe decides', () => {
    const { circuits, call, advance } = breakers();
    const inFlight = [circuits.admit(HOOKS), circuits.admit(HOOKS), circuits.admit(HOOKS), circuits.admit(HOOKS)].map(ticketOf);
    for (const ticket of inFlight.slice(0, 3)) circuits.settle(ticket, 'down');
    expect(circuits.state(HOOKS)).toBe('open');

    circuits.settle(inFlight[3]!, 'up');
    expect(circuits.state(HOOKS)).toBe('open');
    advance(1_000);
    circuits.settle(ticketOf(circuits.admit(HOOKS)), 'down');
    expect(call(HOOKS, 'up')).toMatchObject({ admitted: false, retryInMs: 2_000 });
  });

  it('counts the destinations whose circuit is open or half-open, not those merely failing', () => {
    const { circuits, call, advance } = breakers();
    for (let i = 0; i < 3; i++) call(HOOKS, 'down');
    call(OTHER, 'down');
    expect(circuits.openCount()).toBe(1);

    advance(1_000); // half-open: still not taking calls freely
    expect(circuits.openCount()).toBe(1);
    circuits.settle(ticketOf(circuits.admit(HOOKS)), 'up');
    expect(circuits.openCount()).toBe(0);
  });

  it('never opens with a threshold of 0 (the breaker is off)', () => {
    const { circuits, call } = breakers({ failures: 0, cooldownMs: 1_000 });
    for (let i = 0; i < 50; i++) expect(call(HOOKS, 'down').admitted).toBe(true);

    expect(circuits.state(HOOKS)).toBe('closed');
  });

  it(`tracks at most ${MAX_TRACKED_DESTINATIONS} destinations with failures, forgetting the oldest`, () => {
    const { circuits, call } = breakers();
    for (let i = 0; i < 3; i++) call(HOOKS, 'down');
    for (let i = 0; i < MAX_TRACKED_DESTINATIONS - 1; i++) call(new URL(`https://host-${i}.example.com/`), 'down');
    expect(circuits.state(HOOKS)).toBe('open');

    call(OTHER, 'down');

    expect(circuits.state(HOOKS)).toBe('closed');
    expect(call(HOOKS, 'down').admitted).toBe(true);
  });
  it('tells its observers when a circuit opens and when its probe closes it, not when a failed probe keeps it open', () => {
    const { circuits, call, advance } = breakers();
    const seen: CircuitTransition[] = [];
    circuits.observe((transition) => seen.push(transition));
    circuits.observe(() => {
      throw new Error('an observer with a bug');
    });

    for (let i = 0; i < 3; i++) call(HOOKS, 'down');
    advance(1_000);
    call(HOOKS, 'down'); // the probe fails: still open, no transition
    advance(2_000);
    call(HOOKS, 'up');

    expect(seen).toEqual([
      { destination: 'https://hooks.example.com', state: 'opened', failures: 3, cooldownMs: 1_000 },
      { destination: 'https://hooks.example.com', state: 'closed' },
    ]);
    expect(circuits.state(HOOKS)).toBe('closed');
  });
});
