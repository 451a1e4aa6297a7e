import { Job, Processor, Worker, WorkerOptions } from 'bullmq';
import { withTimeout } from './with-timeout';

/**
 * How BullMQ finds the jobs of an engine that died (SIGKILL, OOM, a lost machine). A worker holds a
 * lock on each job it runs, renewed every `lockDuration / 2`; a job whose lock has expired is
 * "stalled", and the stalled check (every worker runs one every `stalledInterval`) moves it back to
 * waiting for any engine to take. So a dead engine's jobs run again within about
 * `lockDuration + stalledInterval` (15 s) instead of BullMQ's default 60 s.
 *
 * The price of a shorter lock: an engine that cannot renew it for ~10 s (Redis away, an event loop
 * blocked that long) loses its jobs to other engines while still running them. That is safe here:
 * an execution may run twice (a run skips steps that already succeeded, http calls carry the same
 * `Idempotency-Key`, db steps upsert), it just costs a repeated call.
 *
 * `maxStalledCount` 2: a job may be recovered from two dead engines; one that stalls a third time
 * is failed ("job stalled more than allowable limit") rather than handed to a fourth engine, since
 * it is most likely what kills them. The engine's runs sweeper dead-letters such a run.
 */
export const STALLED_JOB_SETTINGS = {
  lockDuration: 10_000,
  stalledInterval: 5_000,
  maxStalledCount: 2,
} as const satisfies Partial<WorkerOptions>;

/** The failed reason BullMQ gives a job that stalled more than `maxStalledCount` times. */
export const STALLED_TOO_OFTEN = /stalled more than allowable limit/i;

/** The longest one Redis call may take while shutting down (a worker's connection waits for Redis for ever). */
const SHUTDOWN_CALL_TIMEOUT_MS = 2_000;

interface InFlight {
  job: Job;
  token: string;
}

/**
 * The BullMQ worker of every Hookflow processor (registered with `BullModule.workerClass`): the
 * stalled-job settings above, and a bounded graceful shutdown ({@link shutDown}).
 */
export class HookflowWorker<Data = unknown, Result = unknown> extends Worker<Data, Result> {
  private readonly inFlight = new Map<string, InFlight>();
  private readonly settled: (() => void)[] = [];

  constructor(name: string, processor?: string | URL | null | Processor<Data, Result>, opts?: WorkerOptions) {
    super(name, processor, { ...STALLED_JOB_SETTINGS, ...opts } as WorkerOptions);
  }

  /** Jobs this worker is running now. */
  get jobsInFlight(): number {
    return this.inFlight.size;
  }

  protected override async callProcessJob(job: Job<Data, Result>, token: string, signal?: AbortSignal): Promise<Result> {
    const id = job.id ?? '';
    this.inFlight.set(id, { job, token });
    try {
      return await super.callProcessJob(job, token, signal);
    } finally {
      this.inFlight.delete(id);
      if (this.inFlight.size === 0) this.settled.splice(0).forEach((resolve) => resolve());
    }
  }

  /**
   * Stops taking jobs, lets those running finish for up to `graceMs`, then hands the rest back to
   * their queue (back to waiting, at its head, lock released) so that another engine takes them at
   * once rather than after the stalled check; then closes. Returns how many it handed back.
   * A handed-back job may still be executing here until the process exits: the other engine runs
   * the same execution, which is safe (see {@link STALLED_JOB_SETTINGS}).
   */
  async shutDown(graceMs: number): Promise<number> {
    await withTimeout(this.pause(true), SHUTDOWN_CALL_TIMEOUT_MS).catch(() => undefined);
    if (this.inFlight.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
      await Promise.race([new Promise<void>((resolve) => this.settled.push(resolve)), grace]).finally(() => clearTimeout(timer));
    }
    const left = [...this.inFlight.values()];
    const handedBack = await Promise.all(
      left.map(({ job, token }) =>
        withTimeout(job.moveToWait(token), SHUTDOWN_CALL_TIMEOUT_MS).then(
          () => true,
          () => false, // Redis away, or the job finished meanwhile: the stalled check recovers it if need be
        ),
      ),
    );
    await withTimeout(this.close(true), SHUTDOWN_CALL_TIMEOUT_MS).catch(() => undefined);
    return handedBack.filter(Boolean).length;
  }
}
