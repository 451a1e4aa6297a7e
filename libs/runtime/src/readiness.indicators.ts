import { MIGRATIONS } from '@hookflow/migrations';
import { EVENTS_QUEUE, EventJob, pingQueueRedis, withTimeout } from '@hookflow/queue';
import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { InjectDataSource } from '@nestjs/typeorm';
import { Queue } from 'bullmq';
import { DataSource } from 'typeorm';

/** A readiness probe answers within the probe's own timeout (docker-compose: 5 s), even when a dependency hangs. */
const CHECK_TIMEOUT_MS = 2_000;

/**
 * What an app needs to do its work: PostgreSQL answering, Redis connected, and every migration
 * of this build applied. Each check says what is wrong in a few words, never a password.
 */
@Injectable()
export class ReadinessIndicators {
  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly typeorm: TypeOrmHealthIndicator,
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectQueue(EVENTS_QUEUE) private readonly queue: Queue<EventJob>,
  ) {}

  /** The checks, in the form `HealthCheckService.check` takes. */
  all(): (() => Promise<HealthIndicatorResult>)[] {
    return [() => this.typeorm.pingCheck('database', { timeout: CHECK_TIMEOUT_MS }), () => this.redis(), () => this.migrations()];
  }

  /** The queues' own connection: the one an app's work goes through. */
  async redis(): Promise<HealthIndicatorResult> {
    const check = this.indicators.check('redis');
    try {
      await pingQueueRedis(this.queue, CHECK_TIMEOUT_MS);
      return check.up();
    } catch (error) {
      return check.down({ message: messageOf(error) });
    }
  }

  async migrations(): Promise<HealthIndicatorResult> {
    const check = this.indicators.check('migrations');
    try {
      const rows = await withTimeout(this.dataSource.query<{ name: string }[]>('SELECT name FROM migrations'), CHECK_TIMEOUT_MS);
      const applied = new Set(rows.map((row) => row.name));
      const pending = MIGRATIONS.map((migration) => migration.name).filter((name) => !applied.has(name));
      return pending.length === 0 ? check.up() : check.down({ message: 'migrations pending: run `hookflow migrate`', pending });
    } catch (error) {
      return check.down({ message: messageOf(error) });
    }
  }
}

function messageOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  return error.message || (typeof code === 'string' ? code : error.name);
}
