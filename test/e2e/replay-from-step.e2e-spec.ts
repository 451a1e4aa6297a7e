import { RunsRepository } from '@hookflow/persistence';
import { RulesDirectoryService } from '@hookflow/rules';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { AdminClient } from '../support/admin-client';
import { deliver, waitFor } from '../support/deliveries';
import { ReceivedRequest, TestReceiver } from '../support/receiver';
import { hmacSource, httpRule, orderEvent, orderIdOf, rulesFile, SECRET } from '../support/rule-files';
import { TestStack } from '../support/test-stack';
import { builtFile } from '../support/test-env';

interface AttemptItem {
  stepId: string;
  attempt: number;
  status: string;
  carriedFrom: string | null;
  output: unknown;
  error: string | null;
}
interface RunItem {
  id: string;
  status: string;
  replay: number;
  replayOf: string | null;
  fromStep: string | null;
  deadLetter: { id: string; status: string } | null;
  attempts: AttemptItem[];
}

const FAST_RETRY = '{ attempts: 2, backoff: fixed, delay: 20ms }';
const json = (body: unknown) => ({ status: 200, body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
const down = () => ({ status: 503, body: 'down for maintenance' });
/** The token a request of the first step got back: step 3 sends it on, from `steps.s1.output`. */
const tokenOf = (index: number): string => `tok-${index}`;

/**
 * A rule whose middle step runs only for big orders: `when` in version 1, then (version 2) always.
 * The last step says what it saw of the middle one.
 */
function gateRules(urls: string[], middleWhen: string): string {
  const [one, two, three] = urls;
  return rulesFile(
    [hmacSource('gate')],
    [
      `  - id: gate
    source: gate
    events: ["order.*"]
    retry: ${FAST_RETRY}
    steps:
      - { id: s1, type: http, method: POST, url: "${one}", body: { order: "{{ payload.id }}" } }
      - { id: s2, type: http, method: POST, url: "${two}", when: ${JSON.stringify(middleWhen)}, body: { order: "{{ payload.id }}" } }
      - { id: s3, type: http, method: POST, url: "${three}", body: { order: "{{ payload.id }}", s2: "{{ steps.s2.status }}" } }`,
    ],
  );
}

/** A rule whose middle step continues on error: when it fails, the last step is still tried and says what it saw of it. */
function onwardRules(urls: string[]): string {
  const [one, two, three] = urls;
  return rulesFile(
    [hmacSource('onward')],
    [
      `  - id: onward
    source: onward
    events: ["order.*"]
    retry: ${FAST_RETRY}
    steps:
      - { id: s1, type: http, method: POST, url: "${one}", body: { order: "{{ payload.id }}" } }
      - { id: s2, type: http, method: POST, url: "${two}", continueOnError: true, body: { order: "{{ payload.id }}" } }
      - id: s3
        type: http
        method: POST
        url: "${three}"
        body: { order: "{{ payload.id }}", s2: "{{ steps.s2.status }}", s2error: "{{ steps.s2.error }}" }`,
    ],
  );
}

/** `POST /runs/:id/replay`: a whole run again, or from a step on with the steps before it carried over. */
describe('admin API: replaying a run from a step', () => {
  let stack: TestStack;
  let first: TestReceiver;
  let second: TestReceiver;
  let third: TestReceiver;
  let broken: TestReceiver;
  let gateUrls: string[];
  let writeKey: string;
  let writer: AdminClient;
  let reader: AdminClient;

  beforeAll(async () => {
    [first, second, third, broken] = await Promise.all([
      TestReceiver.start((index) => json({ token: tokenOf(index) })),
      TestReceiver.start(() => json({ ok: true })),
      TestReceiver.start(down),
      TestReceiver.start(down),
    ]);
    const steps = (secondUrl: string) => [
      { id: 's1', url: `${first.url}/one` },
      { id: 's2', url: secondUrl },
      { id: 's3', url: `${third.url}/three`, body: '{ order: "{{ payload.id }}", token: "{{ steps.s1.output.body.token }}" }' },
    ];
    gateUrls = [`${first.url}/gate-1`, `${second.url}/gate-2`, `${third.url}/gate-3`];
    stack = await TestStack.start({
      rules: {
        'gate.yaml': gateRules(gateUrls, 'payload.total > 1000'),
        'onward.yaml': onwardRules([`${first.url}/onward-1`, `${broken.url}/onward-2`, `${third.url}/onward-3`]),
        'flow.yaml': rulesFile(
          [hmacSource('flow'), hmacSource('halt')],
          [
            httpRule('flow', 'flow', steps(`${second.url}/two`), { retry: FAST_RETRY }),
            httpRule('halt', 'halt', steps(`${broken.url}/two`), { retry: FAST_RETRY }),
          ],
        ),
      },
      env: { HOOKFLOW_CIRCUIT_FAILURES: '0' }, // every call reaches its receiver
      admin: true,
    });
    writeKey = await stack.createApiKey('write');
    writer = new AdminClient(stack.adminUrl, writeKey);
    reader = new AdminClient(stack.adminUrl, await stack.createApiKey('read'));
  });

  afterAll(async () => {
    await stack?.close();
    await Promise.all([first, second, third, broken].map((receiver) => receiver?.close()));
  });

  afterEach(() => third.answer(down));

  const ordersOf = (receiver: TestReceiver, orderId: string): ReceivedRequest[] =>
    receiver.requests.filter((request) => (request.json() as { order?: string }).order === orderId);

  /** Sends an order to a source and waits for its run to fail (a dead letter); returns the run. */
  async function failedRun(source: 'flow' | 'halt' | 'gate' | 'onward'): Promise<{ run: RunItem; orderId: string; eventId: string }> {
    const body = orderEvent();
    const answer = await deliver(stack.ingestUrl, source, body, { secret: SECRET });
    expect(answer.status).toBe(202);
    const eventId = answer.body.eventId as string;
    const run = await waitFor(
      async () => {
        const [item] = (await reader.get<{ items: { id: string; status: string }[] }>(`/runs?event=${eventId}`)).body.items;
        return item?.status === 'failed' ? (await reader.get<RunItem>(`/runs/${item.id}`)).body : undefined;
      },
      15_000,
      `the run of event ${eventId} to fail`,
    );
    return { run, orderId: orderIdOf(body), eventId };
  }

  async function finished(runId: string, status = 'succeeded'): Promise<RunItem> {
    return waitFor(
      async () => {
        const run = (await reader.get<RunItem>(`/runs/${runId}`)).body;
        return run.status === status ? run : undefined;
      },
      15_000,
      `run ${runId} to be ${status}`,
    );
  }

  it('replays from the failed step: only that step is sent again, with the carried output of step 1, and the dead letter resolves', async () => {
    const { run, orderId } = await failedRun('flow');
    expect(run.attempts.map((attempt) => [attempt.stepId, attempt.status])).toEqual([
      ['s1', 'succeeded'],
      ['s2', 'succeeded'],
      ['s3', 'failed'],
      ['s3', 'failed'],
    ]);
    const [firstCall] = ordersOf(first, orderId);
    const token = tokenOf(first.requests.indexOf(firstCall!));
    third.answer(() => json({ ok: true }));

    const replay = await writer.post(`/runs/${run.id}/replay`, { fromStep: 's3' });
    expect(replay).toMatchObject({
      status: 200,
      body: {
        runId: expect.any(String),
        ruleId: 'flow',
        ruleVersion: 1,
        replay: 1,
        replayOf: run.id,
        fromStep: 's3',
        carriedSteps: ['s1', 's2'],
        deadLettersReplayed: [run.deadLetter!.id],
      },
    });
    const replayed = await finished(replay.body.runId);
    expect(replayed).toMatchObject({ replay: 1, replayOf: run.id, fromStep: 's3' });
    expect(replayed.attempts.map((attempt) => [attempt.stepId, attempt.status, attempt.carriedFrom])).toEqual([
      ['s1', 'succeeded', run.id],
      ['s2', 'succeeded', run.id],
      ['s3', 'succeeded', null],
    ]);
    expect(ordersOf(first, orderId)).toHaveLength(1);
    expect(ordersOf(second, orderId)).toHaveLength(1);
    const resent = ordersOf(third, orderId);
    expect(resent).toHaveLength(3); // two failed tries, then the replay's
    expect(resent[2]!.json()).toEqual({ order: orderId, token });
    expect(resent[2]!.headers['idempotency-key']).toBe(`${replay.body.runId}:s3`);
    expect((await reader.get(`/dead-letters/${run.deadLetter!.id}`)).body).toMatchObject({ status: 'resolved' });

    // Replaying the replay carries the same attempts over again: they still name the run that made them.
    const again = await writer.post(`/runs/${replay.body.runId}/replay`, { fromStep: 's3' });
    expect(again).toMatchObject({ status: 200, body: { replay: 2, replayOf: replay.body.runId, carriedSteps: ['s1', 's2'] } });
    const twice = await finished(again.body.runId);
    expect(twice.attempts.map((attempt) => attempt.carriedFrom)).toEqual([run.id, run.id, null]);
    expect(ordersOf(third, orderId)).toHaveLength(4);
    expect(ordersOf(first, orderId)).toHaveLength(1);
  });

  it('retries the step it starts at with its own attempts, never sending a carried step again', async () => {
    const { run, orderId } = await failedRun('flow');
    const firstTry = third.requests.length; // the replay's first try fails, its retry succeeds
    third.answer((index) => (index === firstTry ? down() : json({ ok: true })));

    const replay = await writer.post(`/runs/${run.id}/replay`, { fromStep: 's3' });
    expect(replay.status).toBe(200);
    const replayed = await finished(replay.body.runId);
    expect(replayed.attempts.map((attempt) => [attempt.stepId, attempt.attempt, attempt.status, attempt.carriedFrom])).toEqual([
      ['s1', 1, 'succeeded', run.id],
      ['s2', 1, 'succeeded', run.id],
      ['s3', 1, 'failed', null],
      ['s3', 2, 'succeeded', null],
    ]);
    expect(ordersOf(first, orderId)).toHaveLength(1);
    expect(ordersOf(second, orderId)).toHaveLength(1);
    expect(ordersOf(third, orderId).map((request) => request.headers['idempotency-key'])).toEqual([
      `${run.id}:s3`,
      `${run.id}:s3`,
      `${replay.body.runId}:s3`,
      `${replay.body.runId}:s3`,
    ]);
  });

  it('replays from step 2: steps 2 and 3 are sent again, step 1 is carried over', async () => {
    const { run, orderId } = await failedRun('flow');
    third.answer(() => json({ ok: true }));
    const replay = await writer.post(`/runs/${run.id}/replay`, { fromStep: 's2' });
    expect(replay).toMatchObject({ status: 200, body: { fromStep: 's2', carriedSteps: ['s1'] } });
    const replayed = await finished(replay.body.runId);
    expect(replayed.attempts.map((attempt) => [attempt.stepId, attempt.carriedFrom === null ? 'ran' : 'carried'])).toEqual([
      ['s1', 'carried'],
      ['s2', 'ran'],
      ['s3', 'ran'],
    ]);
    expect(ordersOf(first, orderId)).toHaveLength(1);
    expect(ordersOf(second, orderId)).toHaveLength(2);
    expect(ordersOf(third, orderId)).toHaveLength(3);
  });

  it('carries over a continueOnError step that failed: later steps see it failed, as in the run, and it is not sent again', async () => {
    const { run, orderId } = await failedRun('onward');
    expect(run.attempts.map((attempt) => [attempt.stepId, attempt.status])).toEqual([
      ['s1', 'succeeded'],
      ['s2', 'failed'],
      ['s2', 'failed'],
      ['s3', 'failed'],
      ['s3', 'failed'],
    ]);
    const finalFailure = run.attempts[2]!;
    third.answer(() => json({ ok: true }));

    const replay = await writer.post(`/runs/${run.id}/replay`, { fromStep: 's3' });
    expect(replay).toMatchObject({ status: 200, body: { fromStep: 's3', carriedSteps: ['s1', 's2'] } });
    const replayed = await finished(replay.body.runId);
    expect(replayed.attempts.map((attempt) => [attempt.stepId, attempt.attempt, attempt.status, attempt.carriedFrom])).toEqual([
      ['s1', 1, 'succeeded', run.id],
      ['s2', 2, 'failed', run.id],
      ['s3', 1, 'succeeded', null],
    ]);
    expect(replayed.attempts[1]).toMatchObject({ error: finalFailure.error, output: finalFailure.output });
    expect(ordersOf(broken, orderId)).toHaveLength(2);
    expect(ordersOf(first, orderId)).toHaveLength(1);
    expect(ordersOf(third, orderId).at(-1)!.json()).toEqual({ order: orderId, s2: 'failed', s2error: finalFailure.error });
  });

  it('answers 409 source_run_changed, making nothing, when attempts to carry over are gone after the plan read them', async () => {
    const { run, eventId } = await failedRun('flow');
    const runs = stack.admin!.get(RunsRepository);
    const read = runs.attempts.bind(runs);
    // Retention (or anything else) deletes an attempt between the plan and the insert.
    const vanishing = jest.spyOn(runs, 'attempts').mockImplementationOnce(async (runId) => {
      const planned = await read(runId);
      await stack.query(`DELETE FROM step_attempts WHERE run_id = $1 AND step_id = 's2'`, [runId]);
      return planned;
    });
    try {
      const refused = await writer.post(`/runs/${run.id}/replay`, { fromStep: 's3' });
      expect(refused).toMatchObject({ status: 409, body: { error: 'source_run_changed' } });
      expect(refused.body.message).toContain(`run ${run.id} changed while the replay was planned: the attempts of step(s) s2`);
    } finally {
      vanishing.mockRestore();
    }
    expect((await reader.get(`/runs?event=${eventId}`)).body.items).toHaveLength(1);
    expect((await reader.get(`/dead-letters/${run.deadLetter!.id}`)).body).toMatchObject({ status: 'pending' });
  });

  it('replays a whole run: every step is sent again and nothing is carried over', async () => {
    const { run, orderId } = await failedRun('flow');
    third.answer(() => json({ ok: true }));
    const replay = await writer.post(`/runs/${run.id}/replay`, {});
    expect(replay).toMatchObject({
      status: 200,
      body: { replay: 1, replayOf: run.id, fromStep: null, carriedSteps: [], deadLettersReplayed: [run.deadLetter!.id] },
    });
    const replayed = await finished(replay.body.runId);
    expect(replayed).toMatchObject({ fromStep: null });
    expect(replayed.attempts.every((attempt) => attempt.carriedFrom === null)).toBe(true);
    expect([ordersOf(first, orderId), ordersOf(second, orderId), ordersOf(third, orderId)].map((calls) => calls.length)).toEqual([2, 2, 3]);
  });

  it('refuses a step the rule does not have, a step whose earlier steps did not succeed, a read key and a bad body', async () => {
    const { run } = await failedRun('flow');
    const unknown = await writer.post(`/runs/${run.id}/replay`, { fromStep: 'nope' });
    expect(unknown).toMatchObject({
      status: 422,
      body: { error: 'unknown_step', details: [{ path: 'fromStep', message: 'steps: s1, s2, s3' }] },
    });

    const halted = await failedRun('halt'); // failed at s2
    const incomplete = await writer.post(`/runs/${halted.run.id}/replay`, { fromStep: 's3' });
    expect(incomplete).toMatchObject({
      status: 409,
      body: { error: 'earlier_step_incomplete', details: [{ path: 'fromStep', message: 'step s2 failed in the replayed run' }] },
    });

    const readOnly = await reader.post(`/runs/${run.id}/replay`, { fromStep: 's3' });
    expect(readOnly).toMatchObject({ status: 403, body: { error: 'forbidden' } });
    expect((await writer.post(`/runs/${run.id}/replay`, { fromStep: 's3', extra: 1 })).status).toBe(400);
    expect((await writer.post(`/runs/${run.id}/replay`, { fromStep: 3 })).status).toBe(400);
    expect((await writer.post('/runs/not-a-uuid/replay', {})).status).toBe(404);
    expect((await writer.post('/runs/00000000-0000-4000-8000-000000000000/replay', {})).status).toBe(404);
    // None of them made a run, nor took the dead letter over.
    expect((await reader.get(`/runs?event=${halted.eventId}`)).body.items).toHaveLength(1);
    expect((await reader.get(`/dead-letters/${run.deadLetter!.id}`)).body).toMatchObject({ status: 'pending' });
  });

  it('answers 409 runs_in_flight while a replay of the run has not finished, and replays anyway with force', async () => {
    const { run } = await failedRun('flow');
    third.answer(() => ({ ...json({ ok: true }), delayMs: 1_500 }));
    const replay = await writer.post(`/runs/${run.id}/replay`, { fromStep: 's3' });
    expect(replay.status).toBe(200);
    const refused = await writer.post(`/runs/${run.id}/replay`, { fromStep: 's3' });
    expect(refused).toMatchObject({ status: 409, body: { error: 'runs_in_flight' } });
    expect(refused.body.message).toContain(replay.body.runId);
    const forced = await writer.post(`/runs/${run.id}/replay`, { fromStep: 's3', force: true });
    expect(forced).toMatchObject({ status: 200, body: { replay: 2, carriedSteps: ['s1', 's2'] } });
    await Promise.all([finished(replay.body.runId), finished(forced.body.runId)]);
  });

  it('keeps a step the replayed run skipped skipped, even when the current version would now run it', async () => {
    const { run, orderId } = await failedRun('gate');
    expect(run.attempts.map((attempt) => attempt.stepId)).toEqual(['s1', 's3', 's3']);
    stack.writeRules({ 'gate.yaml': gateRules(gateUrls, 'true') });
    expect((await stack.engine!.get(RulesDirectoryService).reload('test')).status).toBe('reloaded');
    third.answer(() => json({ ok: true }));

    const replay = await writer.post(`/runs/${run.id}/replay`, { fromStep: 's3' });
    expect(replay).toMatchObject({ status: 200, body: { ruleVersion: 2, carriedSteps: ['s1'] } });
    const replayed = await finished(replay.body.runId);
    expect(replayed.attempts.map((attempt) => [attempt.stepId, attempt.carriedFrom])).toEqual([
      ['s1', run.id],
      ['s3', null],
    ]);
    expect(ordersOf(second, orderId)).toHaveLength(0);
    expect(ordersOf(third, orderId).at(-1)!.json()).toEqual({ order: orderId, s2: 'skipped' });
  });

  it('replays from a step with the CLI: hookflow runs replay <id> --from-step', async () => {
    const { run, orderId } = await failedRun('flow');
    third.answer(() => json({ ok: true }));
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [builtFile('apps/cli/src/main.js'), 'runs', 'replay', run.id, '--from-step', 's3'],
      { env: { PATH: process.env.PATH ?? '', HOOKFLOW_ADMIN_URL: stack.adminUrl, HOOKFLOW_API_KEY: writeKey }, timeout: 30_000 },
    );
    const replayRunId = /as run ([0-9a-f-]{36}) \(replay #1, carrying over s1, s2\)/.exec(stdout)?.[1];
    expect(stdout).toContain(`replayed run ${run.id} from step s3 as run`);
    expect(replayRunId).toBeDefined();
    await finished(replayRunId!);
    expect([ordersOf(first, orderId), ordersOf(second, orderId), ordersOf(third, orderId)].map((calls) => calls.length)).toEqual([1, 1, 3]);
  }, 30_000);
});
