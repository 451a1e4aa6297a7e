import { HOOKFLOW_CONFIG, HookflowConfig } from '@hookflow/config';
import { AlertSignalsRepository } from '@hookflow/persistence';
import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ConsoleLinks } from './console-links';
import { detectSourceAlerts } from './source-detectors';
import { EmitOutcome, SystemEvents } from './system-events.service';

/**
 * Every HOOKFLOW_ALERT_CHECK_INTERVAL, looks at each enabled source over the last
 * HOOKFLOW_ALERT_WINDOW and emits `source.silent`, `source.failure_rate_high` and
 * `source.rejections_spike` where called for. Every engine runs it; one at a time reads (an
 * advisory lock), and coalescing keeps a round that another engine repeats from alerting twice.
 * Nothing is read while no enabled rule names `hookflow`.
 */
@Injectable()
export class AlertDetector implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(AlertDetector.name);
  private readonly links: ConsoleLinks;
  private timer?: NodeJS.Timeout;
  private running?: Promise<EmitOutcome[]>;

  constructor(
    @Inject(HOOKFLOW_CONFIG) private readonly config: HookflowConfig,
    private readonly signals: AlertSignalsRepository,
    private readonly systemEvents: SystemEvents,
  ) {
    this.links = new ConsoleLinks(config.alerts.consoleUrl);
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      if (!this.running) void this.check();
    }, this.config.alerts.checkIntervalMs);
    this.timer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One round, after any round in progress; the outcome of each alert it raised. Never throws. */
  async check(now = new Date()): Promise<EmitOutcome[]> {
    while (this.running) await this.running;
    this.running = this.round(now).finally(() => (this.running = undefined));
    return this.running;
  }

  private async round(now: Date): Promise<EmitOutcome[]> {
    if (!this.systemEvents.observed) return [];
    const { windowMs, failureRate, rejections } = this.config.alerts;
    try {
      const sources = await this.signals.sourceSignals(new Date(now.getTime() - windowMs));
      if (!sources) return []; // another engine is checking right now
      const alerts = sources.flatMap((signals) => detectSourceAlerts(signals, { windowMs, failureRate, rejections }, this.links, now));
      const outcomes: EmitOutcome[] = [];
      for (const alert of alerts) outcomes.push(await this.systemEvents.emit(alert, now));
      return outcomes;
    } catch (error) {
      this.logger.warn(`alert checks failed, the next round carries on: ${(error as Error).message}`);
      return [];
    }
  }
}
