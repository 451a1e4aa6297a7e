import { CircuitBreakers, CircuitTransition } from '@hookflow/actions';
import { HOOKFLOW_CONFIG, HookflowConfig } from '@hookflow/config';
import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { ConsoleLinks } from './console-links';
import { SystemEvents } from './system-events.service';

/**
 * `circuit.opened` and `circuit.closed` from this engine's breakers. Each engine keeps its own
 * breakers, so several may open a circuit for one destination: the event is coalesced per
 * destination per window. A breaker does not know whose call tripped it, so the calls of an alert
 * rule count too; that cannot loop, since a destination opens at most once per window here and
 * an alert rule's run that waits on it raises nothing else.
 */
@Injectable()
export class CircuitAlerts implements OnModuleInit {
  private readonly links: ConsoleLinks;

  constructor(
    @Inject(HOOKFLOW_CONFIG) config: HookflowConfig,
    private readonly circuits: CircuitBreakers,
    private readonly systemEvents: SystemEvents,
  ) {
    this.links = new ConsoleLinks(config.alerts.consoleUrl);
  }

  onModuleInit(): void {
    this.circuits.observe((transition) => {
      if (this.systemEvents.observed) void this.systemEvents.emit(this.alertOf(transition));
    });
  }

  private alertOf(transition: CircuitTransition): Parameters<SystemEvents['emit']>[0] {
    const { destination } = transition;
    if (transition.state === 'closed') {
      return {
        type: 'circuit.closed',
        subject: destination,
        payload: { summary: `Circuit for ${destination} closed: calls go through again`, destination, consoleUrl: this.links.overview() },
      };
    }
    const { failures, cooldownMs } = transition;
    return {
      type: 'circuit.opened',
      subject: destination,
      payload: {
        summary: `Circuit for ${destination} opened after ${failures} consecutive failures: calls to it wait, a probe goes in ${cooldownMs} ms`,
        destination,
        failures,
        cooldownMs,
        consoleUrl: this.links.overview(),
      },
    };
  }
}
