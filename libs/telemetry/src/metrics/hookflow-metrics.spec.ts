import { Logger } from '@nestjs/common';
import { HookflowMetrics, UNKNOWN_SOURCE } from './hookflow-metrics';

/** The value of one sample line (`name{labels} value`) of a scrape, or undefined when absent. */
function sample(scrape: string, series: string): number | undefined {
  const line = scrape.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('HookflowMetrics', () => {
  beforeAll(() => {
    Logger.overrideLogger(false);
  });

  it('counts deliveries by source, outcome, reason and status, and times them by outcome', async () => {
    const metrics = new HookflowMetrics();
    metrics.recordDelivery({ source: 'stripe', outcome: 'accepted', reason: '', status: 202, seconds: 0.004 });
    metrics.recordDelivery({ source: 'stripe', outcome: 'accepted', reason: '', status: 202, seconds: 0.02 });
    metrics.recordDelivery({ source: 'stripe', outcome: 'rejected', reason: 'signature_mismatch', status: 401, seconds: 0.001 });
    metrics.recordDelivery({ source: UNKNOWN_SOURCE, outcome: 'rejected', reason: 'unknown_source', status: 404, seconds: 0.001 });

    const scrape = await metrics.render();

    expect(sample(scrape, 'hookflow_ingest_requests_total{source="stripe",outcome="accepted",reason="",status="202"}')).toBe(2);
    expect(
      sample(scrape, 'hookflow_ingest_requests_total{source="stripe",outcome="rejected",reason="signature_mismatch",status="401"}'),
    ).toBe(1);
    expect(
      sample(scrape, 'hookflow_ingest_requests_total{source="_unknown",outcome="rejected",reason="unknown_source",status="404"}'),
    ).toBe(1);
    expect(sample(scrape, 'hookflow_ingest_request_duration_seconds_bucket{le="0.005",outcome="accepted"}')).toBe(1);
    expect(sample(scrape, 'hookflow_ingest_request_duration_seconds_bucket{le="0.025",outcome="accepted"}')).toBe(2);
    expect(sample(scrape, 'hookflow_ingest_request_duration_seconds_count{outcome="rejected"}')).toBe(2);
  });

  it('counts finished runs by rule and status, step attempts by type, retries and deferrals by rule', async () => {
    const metrics = new HookflowMetrics();
    metrics.recordRunFinished('large-payment', 'succeeded');
    metrics.recordRunFinished('large-payment', 'failed');
    metrics.recordStepAttempt('http', 'failed', 0.3);
    metrics.recordStepAttempt('http', 'succeeded', 0.05);
    metrics.recordRetry('large-payment');
    metrics.recordDeferral('large-payment');

    const scrape = await metrics.render();

    expect(sample(scrape, 'hookflow_runs_total{rule="large-payment",status="succeeded"}')).toBe(1);
    expect(sample(scrape, 'hookflow_runs_total{rule="large-payment",status="failed"}')).toBe(1);
    expect(sample(scrape, 'hookflow_step_duration_seconds_bucket{le="0.05",type="http",status="succeeded"}')).toBe(1);
    expect(sample(scrape, 'hookflow_step_duration_seconds_bucket{le="0.25",type="http",status="failed"}')).toBe(0);
    expect(sample(scrape, 'hookflow_step_duration_seconds_bucket{le="0.5",type="http",status="failed"}')).toBe(1);
    expect(sample(scrape, 'hookflow_step_retries_total{rule="large-payment"}')).toBe(1);
    expect(sample(scrape, 'hookflow_run_deferrals_total{rule="large-payment"}')).toBe(1);
  });

  it('counts the rows the retention pruner deleted, by table', async () => {
    const metrics = new HookflowMetrics();
    metrics.recordPruned('events', 500);
    metrics.recordPruned('events', 20);
    metrics.recordPruned('step_attempts', 1_040);

    const scrape = await metrics.render();

    expect(sample(scrape, 'hookflow_retention_pruned_rows_total{table="events"}')).toBe(520);
    expect(sample(scrape, 'hookflow_retention_pruned_rows_total{table="step_attempts"}')).toBe(1_040);
  });

  it('reads gauges through probes at each scrape, and drops the series of a value it could not read', async () => {
    const metrics = new HookflowMetrics();
    let redisUp = true;
    let pending = 3;
    metrics.onScrape(() => metrics.setQueueJobs('events', redisUp ? { waiting: 4, active: 1, delayed: 0, failed: 2 } : undefined));
    metrics.onScrape(async () => metrics.setDeadLettersPending(await Promise.resolve(pending)));
    metrics.onScrape(() => metrics.setOpenCircuits(1));

    let scrape = await metrics.render();
    expect(sample(scrape, 'hookflow_queue_jobs{queue="events",state="waiting"}')).toBe(4);
    expect(sample(scrape, 'hookflow_queue_jobs{queue="events",state="failed"}')).toBe(2);
    expect(sample(scrape, 'hookflow_dead_letters_pending')).toBe(3);
    expect(sample(scrape, 'hookflow_circuit_breakers_open')).toBe(1);

    redisUp = false;
    pending = 5;
    scrape = await metrics.render();
    expect(sample(scrape, 'hookflow_queue_jobs{queue="events",state="waiting"}')).toBeUndefined();
    expect(sample(scrape, 'hookflow_dead_letters_pending')).toBe(5);
  });

  it('still answers when a probe throws, with every other value', async () => {
    const metrics = new HookflowMetrics();
    metrics.onScrape(() => {
      throw new Error('database away');
    });
    metrics.onScrape(() => metrics.setOpenCircuits(2));

    expect(sample(await metrics.render(), 'hookflow_circuit_breakers_open')).toBe(2);
  });

  it('keeps apps of one process apart, and shows the process metrics in each', async () => {
    const ingest = new HookflowMetrics();
    const engine = new HookflowMetrics();
    ingest.recordDelivery({ source: 'github', outcome: 'duplicate', reason: '', status: 200, seconds: 0.002 });

    const [ingestScrape, engineScrape] = await Promise.all([ingest.render(), engine.render()]);

    expect(sample(ingestScrape, 'hookflow_ingest_requests_total{source="github",outcome="duplicate",reason="",status="200"}')).toBe(1);
    expect(engineScrape).not.toContain('source="github"');
    for (const scrape of [ingestScrape, engineScrape]) expect(scrape).toMatch(/^process_resident_memory_bytes \d+/m);
    expect(ingest.contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
  });

  it('follows Prometheus naming: counters end in _total, durations are in seconds', async () => {
    const names = [...(await new HookflowMetrics().render()).matchAll(/^# TYPE (hookflow_\S+) (\S+)$/gm)].map(([, name, type]) => ({
      name,
      type,
    }));

    expect(names.length).toBeGreaterThanOrEqual(9);
    for (const { name, type } of names) {
      if (type === 'counter') expect(name).toMatch(/_total$/);
      if (type === 'histogram') expect(name).toMatch(/_seconds$/);
    }
  });
});
