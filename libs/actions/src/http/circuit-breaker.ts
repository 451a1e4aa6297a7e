import { Logger } from '@nestjs/common';

/** How the breakers behave (HOOKFLOW_CIRCUIT_FAILURES, HOOKFLOW_CIRCUIT_COOLDOWN). */
export interface CircuitSettings {
  /** Consecutive failures that open a destination's circuit; 0 turns the breakers off. */
  failures: number;
  /** How long an open circuit rests before one probe may go through; doubles after each failed probe. */
  cooldownMs: number;
}

/** Milliseconds since the epoch; a parameter so tests move time without sleeping. */
export type Clock = () => number;

/**
 * What a call's result says about its destination: `down` for the results the http step retries
 * (network error, timeout, 408, 429, 5xx), `up` for any other answer (a 404 means the host is
 * there), `unknown` when nothing reached it (an address the guard refused).
 */
export type DestinationHealth = 'up' | 'down' | 'unknown';

export type CircuitState = 'closed' | 'open' | 'half-open';

/** Handed back to {@link CircuitBreakers.settle} with the result of the admitted call. */
export interface CircuitTicket {
  readonly destination: string;
  /** The one call let through to a half-open circuit: its result closes or re-opens it. */
  readonly probe: boolean;
}

export type CircuitAdmission = { admitted: true; ticket: CircuitTicket } | { admitted: false; reason: string; retryInMs: number };

/**
 * A circuit that opened (after `failures` consecutive failures; calls wait `cooldownMs` for a
 * probe) or closed (its probe succeeded). A failed probe keeps it open: that is no transition.
 */
export type CircuitTransition =
  { destination: string; state: 'opened'; failures: number; cooldownMs: number } | { destination: string; state: 'closed' };

/** Told of each transition, synchronously: an observer that needs I/O starts it and returns. */
export type CircuitObserver = (transition: CircuitTransition) => void;

type Circuit = { state: 'closed'; failures: number } | { state: 'open'; until: number; cooldownMs: number; probing: boolean };

/** A failed probe doubles the rest, up to this many times the configured cool-down. */
export const MAX_COOLDOWN_FACTOR = 10;
/** Destinations with failures on record; past this the oldest is forgotten (its next call is simply let through). */
export const MAX_TRACKED_DESTINATIONS = 10_000;

/**
 * One circuit breaker per destination (scheme, host and port: a URL's origin), in this process's
 * memory. Closed: calls go through, and `failures` consecutive failures open it. Open: calls are
 * refused without being made until the cool-down has passed. Then half-open: exactly one call, the
 * probe, goes through; its success closes the circuit, its failure opens it again for twice as long.
 * A destination with no failure on record is not tracked at all.
 */
export class CircuitBreakers {
  private readonly logger = new Logger(CircuitBreakers.name);
  private readonly circuits = new Map<string, Circuit>();
  private readonly observers: CircuitObserver[] = [];

  constructor(
    private readonly settings: CircuitSettings,
    private readonly now: Clock = Date.now,
  ) {}

  /** Calls `observer` on each circuit that opens or closes (the engine turns them into alerts). */
  observe(observer: CircuitObserver): void {
    this.observers.push(observer);
  }

  /** Whether a call to `url` may be made now; an admitted call must be {@link settle}d. */
  admit(url: URL): CircuitAdmission {
    const destination = url.origin;
    const circuit = this.circuits.get(destination);
    if (!circuit || circuit.state === 'closed') return { admitted: true, ticket: { destination, probe: false } };
    const now = this.now();
    const reason = `circuit open for ${destination}`;
    if (now < circuit.until) return { admitted: false, reason, retryInMs: circuit.until - now };
    // Half-open: one probe at a time; the others wait about one base cool-down for its verdict.
    if (circuit.probing) return { admitted: false, reason, retryInMs: this.settings.cooldownMs };
    circuit.probing = true;
    return { admitted: true, ticket: { destination, probe: true } };
  }

  /** Records what an admitted call found out about its destination. */
  settle(ticket: CircuitTicket, health: DestinationHealth): void {
    const { destination } = ticket;
    const circuit = this.circuits.get(destination);
    if (ticket.probe) {
      if (circuit?.state !== 'open') return; // forgotten meanwhile (the map is bounded)
      if (health === 'up') {
        this.circuits.delete(destination);
        this.logger.log(`circuit for ${destination} closed: the probe succeeded`);
        this.notify({ destination, state: 'closed' });
      } else if (health === 'down') {
        const cooldownMs = Math.min(circuit.cooldownMs * 2, this.settings.cooldownMs * MAX_COOLDOWN_FACTOR);
        this.open(destination, cooldownMs);
        this.logger.log(`circuit for ${destination} stays open: the probe failed; next probe in ${cooldownMs} ms`);
      } else {
        circuit.probing = false; // nothing was learnt: the next call probes
      }
      return;
    }
    // A call admitted before the circuit opened says nothing the probe will not say better.
    if (circuit?.state === 'open' || health === 'unknown' || this.settings.failures === 0) return;
    if (health === 'up') {
      this.circuits.delete(destination);
      return;
    }
    const failures = (circuit?.failures ?? 0) + 1;
    if (failures < this.settings.failures) {
      this.track(destination, { state: 'closed', failures });
      return;
    }
    this.open(destination, this.settings.cooldownMs);
    this.logger.warn(
      `circuit for ${destination} opened after ${failures} consecutive failures; calls wait, a probe goes in ${this.settings.cooldownMs} ms`,
    );
    this.notify({ destination, state: 'opened', failures, cooldownMs: this.settings.cooldownMs });
  }

  /** An observer's mistake must not change what the breaker decided, nor fail the call that settled it. */
  private notify(transition: CircuitTransition): void {
    for (const observer of this.observers) {
      try {
        observer(transition);
      } catch (error) {
        this.logger.warn(`a circuit observer failed on ${transition.destination} ${transition.state}: ${(error as Error).message}`);
      }
    }
  }

  /** The state of a destination's circuit (`url` or its origin), for diagnostics and tests. */
  state(url: URL | string): CircuitState {
    const circuit = this.circuits.get(typeof url === 'string' ? new URL(url).origin : url.origin);
    if (!circuit || circuit.state === 'closed') return 'closed';
    return this.now() < circuit.until ? 'open' : 'half-open';
  }

  /** Destinations whose circuit is open or half-open: calls to them wait (a metrics gauge). */
  openCount(): number {
    let count = 0;
    for (const circuit of this.circuits.values()) if (circuit.state === 'open') count += 1;
    return count;
  }

  private open(destination: string, cooldownMs: number): void {
    this.track(destination, { state: 'open', until: this.now() + cooldownMs, cooldownMs, probing: false });
  }

  private track(destination: string, circuit: Circuit): void {
    if (!this.circuits.has(destination) && this.circuits.size >= MAX_TRACKED_DESTINATIONS) {
      const oldest = this.circuits.keys().next();
      if (!oldest.done) this.circuits.delete(oldest.value);
    }
    this.circuits.set(destination, circuit);
  }
}
