import { loadConfig } from '@hookflow/config';
import { AbandonedRun, RunRecoveryRepository, RunsRepository, StrandedRun } from '@hookflow/persistence';
import { Logger } from '@nestjs/common';
import { RunExecutor } from './run-executor.service';
import { QueueableRun, RunQueues } from './run-queues.service';
import { RunsSweeper } from './runs-sweeper.service';

type JobState = 'waiting' | 'active' | 'delayed' | 'completed' | 'failed' | 'unknown';

/** One run queue as the sweeper sees it: job states by id, and what was done to them. */
class FakeQueue {
  readonly retried: string[] = [];

  constructor(private readonly jobs: Record<string, { state: JobState; failedReason?: string; stalledCounter?: number }> = {}) {}

  readonly client = Promise.resolve({ status: 'ready', ping: () => Promise.resolve('PONG') });

  getBackend(): { client: Promise<unknown> } {
    return { client: this.client };
  }

  getJobState(id: string): Promise<JobState> {
    return Promise.resolve(this.jobs[id]?.state ?? 'unknown');
  }

  getJob(id: string): Promise<unknown> {
    const job = this.jobs[id];
    if (!job) return Promise.resolve(undefined);
    return Promise.resolve({
      failedReason: job.failedReason,
      stalledCounter: job.stalledCounter ?? 0,
      retry: () => {
        this.retried.push(id);
        return Promise.resolve();
      },
    });
  }
}

function sweeper(runs: { stranded?: StrandedRun[]; abandoned?: AbandonedRun[] }, queue: FakeQueue) {
  const added: { id: string; execution: number }[] = [];
  const givenUp: { runId: string; error: string }[] = [];
  const queues = {
    all: () => [queue],
    add: (run: QueueableRun, execution: number) => {
      added.push({ id: run.id, execution });
      return Promise.resolve();
    },
  };
  const executor = {
    giveUp: (runId: string, error: Error) => {
      givenUp.push({ runId, error: error.message });
      return Promise.resolve();
    },
  };
  const service = new RunsSweeper(
    loadConfig({ NODE_ENV: 'test' }),
    { strandedRuns: () => Promise.resolve(runs.stranded ?? []) } as unknown as RunsRepository,
    { abandonedRuns: () => Promise.resolve(runs.abandoned ?? []) } as unknown as RunRecoveryRepository,
    queues as unknown as RunQueues,
    executor as unknown as RunExecutor,
  );
  return { service, added, givenUp };
}

const running = (id: string, executions = 1): AbandonedRun => ({ id, status: 'running', executions, replay: 0 });

describe('RunsSweeper', () => {
  beforeAll(() => {
    Logger.overrideLogger(false);
  });

  it('queues again a run left running whose job is gone (an engine killed, then Redis lost its data)', async () => {
    const { service, added } = sweeper({ abandoned: [running('run-a', 2)] }, new FakeQueue());

    expect(await service.sweep()).toBe(1);
    expect(added).toEqual([{ id: 'run-a', execution: 2 }]);
  });

  it('leaves a running run whose job is active to the stalled-job check', async () => {
    const queue = new FakeQueue({ 'run-a-1': { state: 'active' } });
    const { service, added } = sweeper({ abandoned: [running('run-a')] }, queue);

    expect(await service.sweep()).toBe(0);
    expect(added).toEqual([]);
    expect(queue.retried).toEqual([]);
  });

  it('dead-letters a running run whose job stalled too often instead of handing it to another engine', async () => {
    const queue = new FakeQueue({
      'run-a-1': { state: 'failed', failedReason: 'job stalled more than allowable limit', stalledCounter: 3 },
    });
    const { service, added, givenUp } = sweeper({ abandoned: [running('run-a')] }, queue);

    expect(await service.sweep()).toBe(0);
    expect(givenUp).toEqual([{ runId: 'run-a', error: 'its job stalled 3 times: the engines running it stopped each time' }]);
    expect(queue.retried).toEqual([]);
    expect(added).toEqual([]);
  });

  it('retries the failed job of a running run that failed for another reason', async () => {
    const queue = new FakeQueue({ 'run-a-1': { state: 'failed', failedReason: 'Connection terminated unexpectedly' } });
    const { service, givenUp } = sweeper({ abandoned: [running('run-a')] }, queue);

    expect(await service.sweep()).toBe(1);
    expect(queue.retried).toEqual(['run-a-1']);
    expect(givenUp).toEqual([]);
  });

  it('still queues pending runs whose first job is gone', async () => {
    const { service, added } = sweeper({ stranded: [{ id: 'run-p', status: 'pending', executions: 0, replay: 0 }] }, new FakeQueue());

    expect(await service.sweep()).toBe(1);
    expect(added).toEqual([{ id: 'run-p', execution: 1 }]);
  });
});
