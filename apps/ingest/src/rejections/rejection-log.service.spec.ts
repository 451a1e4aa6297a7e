import { loadConfig } from '@hookflow/config';
import { IngestRejectionsRepository, NewIngestRejection, RejectionLogLimits } from '@hookflow/persistence';
import { Logger } from '@nestjs/common';
import { RejectionLog } from './rejection-log.service';

/** A stand-in for the table whose writes finish only when the test says so. */
class HeldRepository {
  readonly batches: NewIngestRejection[][] = [];
  readonly prunes: RejectionLogLimits[] = [];
  failWith: Error | undefined;
  private releases: (() => void)[] = [];

  insertMany(rejections: readonly NewIngestRejection[]): Promise<void> {
    this.batches.push([...rejections]);
    const failure = this.failWith;
    return new Promise((resolve, reject) => this.releases.push(() => (failure ? reject(failure) : resolve())));
  }

  prune(limits: RejectionLogLimits): Promise<{ expired: number; overCap: number }> {
    this.prunes.push(limits);
    return Promise.resolve({ expired: 0, overCap: 0 });
  }

  /** Lets every write waiting so far finish, then lets the writer go on. */
  async releaseAll(): Promise<void> {
    while (this.releases.length > 0) {
      for (const release of this.releases.splice(0)) release();
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
}

const rejection = (index: number): NewIngestRejection => ({
  sourceId: 'shop',
  reason: 'signature_mismatch',
  status: 401,
  message: `delivery ${index}`,
  clientIp: '203.0.113.9',
  createdAt: new Date(),
});

describe('RejectionLog', () => {
  let repository: HeldRepository;
  let warnings: string[];

  function logWith(env: Record<string, string> = {}): RejectionLog {
    return new RejectionLog(repository as unknown as IngestRejectionsRepository, loadConfig({ NODE_ENV: 'test', ...env }));
  }

  beforeEach(() => {
    repository = new HeldRepository();
    warnings = [];
    jest.spyOn(Logger.prototype, 'warn').mockImplementation((message: unknown) => {
      warnings.push(String(message));
    });
  });
  afterEach(() => jest.restoreAllMocks());

  it('returns at once and writes in the background, one batch at a time', async () => {
    const log = logWith();
    log.record(rejection(1));
    log.record(rejection(2));
    log.record(rejection(3));
    expect(repository.batches.map((batch) => batch.length)).toEqual([1]);

    await repository.releaseAll();
    await log.flushed();
    expect(repository.batches.map((batch) => batch.map((row) => row.message))).toEqual([['delivery 1'], ['delivery 2', 'delivery 3']]);
    expect(warnings).toEqual([]);
  });

  it('holds at most 1000 rejections while the database is slow, and reports how many it dropped', async () => {
    const log = logWith();
    for (let index = 0; index < 1006; index++) log.record(rejection(index));

    await repository.releaseAll();
    await log.flushed();
    expect(repository.batches.map((batch) => batch.length)).toEqual([1, 250, 250, 250, 250]);
    expect(warnings).toEqual(['5 refused deliveries were not written to the rejection log: too many were waiting to be written']);
  });

  it('logs a warning when a write fails, and keeps writing later rejections', async () => {
    const log = logWith();
    repository.failWith = new Error('connection terminated');
    log.record(rejection(1));
    await repository.releaseAll();
    await log.flushed();
    expect(warnings).toEqual(['could not write 1 refused deliveries to the rejection log: connection terminated']);

    repository.failWith = undefined;
    log.record(rejection(2));
    await repository.releaseAll();
    await log.flushed();
    expect(repository.batches).toHaveLength(2);
    expect(warnings).toHaveLength(1);
  });

  it('prunes once it has written as many rows as a source may keep, with the configured limits', async () => {
    const log = logWith({ HOOKFLOW_REJECTION_LOG_SIZE: '10', HOOKFLOW_REJECTION_LOG_RETENTION: '2d' });
    for (let index = 0; index < 9; index++) log.record(rejection(index));
    await repository.releaseAll();
    await log.flushed();
    expect(repository.prunes).toHaveLength(0);

    const before = Date.now();
    log.record(rejection(9));
    await repository.releaseAll();
    await log.flushed();
    expect(repository.prunes).toHaveLength(1);
    expect(repository.prunes[0]!.maxPerSource).toBe(10);
    expect(before - repository.prunes[0]!.olderThan.getTime()).toBeGreaterThanOrEqual(2 * 86_400_000 - 1_000);
    expect(before - repository.prunes[0]!.olderThan.getTime()).toBeLessThanOrEqual(2 * 86_400_000);
  });
});
