import { REPLAYS_QUEUE, runJobId, RUNS_QUEUE } from '@hookflow/queue';
import { RulesDirectoryService } from '@hookflow/rules';
import { getQueueToken } from '@nestjs/bullmq';
import { Queue } from 'bullmq';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { AdminClient } from '../support/admin-client';
import { deliver, waitFor } from '../support/deliveries';
import { TestReceiver } from '../support/receiver';
import { hmacSource, httpRule, orderEvent, orderIdOf, rulesFile, SECRET } from '../support/rule-files';
import { TestStack } from '../support/test-stack';

interface DeadLetterItem {
  id: string;
  runId: string;
  eventId: string;
  sourceId: string;
  ruleId: string;
  stepId: string | null;
  cause: string;
  error: string;
  status: string;
  resolvedAt: string | null;
  replayRunId: string | null;
  discardReason: string | null;
}

const FAST_RETRY = '{ attempts: 2, backoff: fixed, delay: 20ms }';
const down = () => ({ status: 503, body: 'down for maintenance' });
const up = () => ({ status: 200, body: '{"ok":true}', headers: { 'content-type': 'application/json' } });

/** Failed runs end as dead letters; operators review them, replay them (one, by filter, or a whole event) or discard them. */
describe('admin API: runs, dead letters and replays', () => {
  let stack: TestStack;
  let shop: TestReceiver;
  let chain: TestReceiver;
  let ops: TestReceiver;
  let multi: TestReceiver;
  let vault: TestReceiver;
  let slow: TestReceiver;
  let writer: AdminClient;
  let reader: AdminClient;

  const chainRules = (path: string): string =>
    rulesFile([hmacSource('chain')], [httpRule('chain', 'chain', [{ id: 'post', url: `${chain.url}${path}` }], { retry: FAST_RETRY })]);
  const vaultRules = (withRule: boolean): string =>
    rulesFile(
      [hmacSource('vault')],
      withRule ? [httpRule('vault', 'vault', [{ id: 'post', url: `${vault.url}/vault` }], { retry: FAST_RETRY })] : [],
    );

  beforeAll(async () => {
    [shop, chain, ops, multi, vault, slow] = await Promise.all([
      TestReceiver.start(down),
      TestReceiver.start(down),
      TestReceiver.start(down),
      TestReceiver.start(up),
      TestReceiver.start(down),
      TestReceiver.start(down),
    ]);
    stack = await TestStack.start({
      rules: {
        'shop.yaml': rulesFile(
          [hmacSource('shop'), hmacSource('ops'), hmacSource('multi'), hmacSource('slow')],
          [
            httpRule('forward', 'shop', [{ id: 'post', url: `${shop.url}/orders` }], { retry: FAST_RETRY }),
            httpRule('ops', 'ops', [{ id: 'post', url: `${ops.url}/ops` }], { retry: FAST_RETRY }),
            // A long delay keeps its runs in flight (retrying) after their first try.
            httpRule('slow', 'slow', [{ id: 'post', url: `${slow.url}/slow` }], { retry: '{ attempts: 2, delay: 1h }' }),
            httpRule('multi-a', 'multi', [{ id: 'post', url: `${multi.url}/a` }]),
            httpRule('multi-b', 'multi', [{ id: 'post', url: `${multi.url}/b` }], { when: 'payload.total >= 100' }),
          ],
        ),
        'chain.yaml': chainRules('/v1'),
        'vault.yaml': vaultRules(true),
      },
      // Breakers off: this suite wants every call to reach its receiver.
      env: { HOOKFLOW_CIRCUIT_FAILURES: '0' },
      admin: true,
    });
    writer = new AdminClient(stack.adminUrl, await stack.createApiKey('write'));
    reader = new AdminClient(stack.adminUrl, await stack.createApiKey('read'));
  });

  afterAll(async () => {
    await stack?.close();
    await Promise.all([shop, chain, ops, multi, vault, slow].map((receiver) => receiver?.close()));
  });

  async function send(source: string, fields: Record<string, unknown> = {}): Promise<{ eventId: string; orderId: string }> {
    const body = orderEvent(fields);
    const answer = await deliver(stack.ingestUrl, source, body, { secret: SECRET });
    expect(answer.status).toBe(202);
    return { eventId: answer.body.eventId as string, orderId: orderIdOf(body) };
  }

  /** Waits until the run of this event for this rule with this replay number has a dead letter, through the API. */
  async function deadLetterOf(eventId: string, ruleId: string, replay = 0): Promise<DeadLetterItem> {
    return waitFor(
      async () => {
        const runs = await reader.get(`/runs?event=${eventId}&rule=${ruleId}`);
        const run = (runs.body.items as { id: string; replay: number; deadLetter: { id: string } | null }[]).find(
          (r) => r.replay === replay,
        );
        if (!run?.deadLetter) return undefined;
        return (await reader.get<DeadLetterItem>(`/dead-letters/${run.deadLetter.id}`)).body;
      },
      15_000,
      `a dead letter for event ${eventId}, rule ${ruleId}, replay ${replay}`,
    );
  }

  async function runStatus(runId: string, status: string): Promise<void> {
    await waitFor(async () => (await reader.get(`/runs/${runId}`)).body.status === status, 15_000, `run ${runId} to be ${status}`);
  }

  /** A run queue of the engine's, to see which queue a run's jobs went to. */
  const queue = (name: string): Queue => stack.engine!.get<Queue>(getQueueToken(name));

  async function reloadRules(): Promise<void> {
    const outcome = await stack.engine!.get(RulesDirectoryService).reload('test');
    expect(outcome.status).toBe('reloaded');
  }

  /** Posts a bulk replay and reads its NDJSON answer. */
  async function bulkReplay(
    client: AdminClient,
    filter: Record<string, unknown>,
  ): Promise<{ status: number; type: string | null; lines: any[] }> {
    const answer = await client.request<string>('POST', '/dead-letters/replay', { filter });
    const text = typeof answer.body === 'string' ? answer.body : `${JSON.stringify(answer.body)}\n`;
    return {
      status: answer.status,
      type: answer.headers.get('content-type'),
      lines: text
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line)),
    };
  }

  it('tells the whole story: failing receiver, dead letters, receiver fixed, bulk replay, every dead letter resolved, each payload received once', async () => {
    const sent = [];
    for (let index = 0; index < 5; index += 1) sent.push(await send('shop'));
    const deadLetters = await Promise.all(sent.map(({ eventId }) => deadLetterOf(eventId, 'forward')));

    const listed = await reader.get<{ items: DeadLetterItem[]; nextCursor: string | null }>('/dead-letters?rule=forward&status=pending');
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((item) => item.id).sort()).toEqual(deadLetters.map((letter) => letter.id).sort());
    for (const item of listed.body.items) {
      expect(item).toMatchObject({
        sourceId: 'shop',
        ruleId: 'forward',
        stepId: 'post',
        cause: 'destination_5xx',
        error: 'step post: destination answered 503 (gave up after 2 attempt(s))',
        status: 'pending',
        replayRunId: null,
      });
    }

    // The failed run shows each attempt: what was sent, what came back.
    const failedRun = await reader.get(`/runs/${deadLetters[0]!.runId}`);
    expect(failedRun.body).toMatchObject({
      id: deadLetters[0]!.runId,
      eventId: sent[0]!.eventId,
      ruleId: 'forward',
      ruleVersion: 1,
      replay: 0,
      status: 'failed',
      deadLetter: { id: deadLetters[0]!.id, status: 'pending', cause: 'destination_5xx' },
    });
    expect(failedRun.body.attempts).toEqual(
      [1, 2].map((attempt) => ({
        stepId: 'post',
        attempt,
        status: 'failed',
        startedAt: expect.any(String),
        durationMs: expect.any(Number),
        request: {
          method: 'POST',
          url: `${shop.url}/orders`,
          headerNames: expect.arrayContaining(['idempotency-key', 'x-test']),
          bodyBytes: expect.any(Number),
        },
        responseStatus: 503,
        output: expect.objectContaining({ status: 503, body: 'down for maintenance' }),
        error: 'destination answered 503',
        carriedFrom: null,
      })),
    );

    shop.answer(up);
    const fixedFrom = shop.requests.length;

    const dryRun = await reader.post('/dead-letters/replay', {
      filter: { rule: 'forward', source: 'shop', status: 'pending' },
      dryRun: true,
    });
    expect(dryRun).toMatchObject({ status: 200, body: { count: 5 } });

    const replay = await bulkReplay(writer, { rule: 'forward', source: 'shop' });
    expect(replay.status).toBe(200);
    expect(replay.type).toBe('application/x-ndjson');
    const progress = replay.lines.slice(0, -1);
    expect(progress.map((line) => [line.replayed, line.total])).toEqual([1, 2, 3, 4, 5].map((n) => [n, 5]));
    expect(progress.map((line) => line.deadLetterId).sort()).toEqual(deadLetters.map((letter) => letter.id).sort());
    expect(replay.lines.at(-1)).toEqual({ done: true, replayed: 5, failed: 0 });
    // Replays run on their own queue, apart from live runs, which the failed runs were.
    for (const line of progress) {
      expect(await queue(REPLAYS_QUEUE).getJob(runJobId(line.runId, 1))).toMatchObject({ data: { runId: line.runId, execution: 1 } });
      expect(await queue(RUNS_QUEUE).getJob(runJobId(line.runId, 1))).toBeUndefined();
    }
    for (const letter of deadLetters) expect(await queue(RUNS_QUEUE).getJob(runJobId(letter.runId, 1))).toBeDefined();

    const resolved = await waitFor(async () => {
      const page = await reader.get<{ items: DeadLetterItem[] }>('/dead-letters?rule=forward&status=resolved');
      return page.body.items.length === 5 ? page.body.items : undefined;
    });
    for (const line of progress) {
      expect(resolved.find((item) => item.id === line.deadLetterId)).toMatchObject({
        replayRunId: line.runId,
        resolvedAt: expect.any(String),
      });
      await runStatus(line.runId, 'succeeded');
    }
    expect((await reader.get('/dead-letters?rule=forward&status=pending')).body.items).toEqual([]);

    // Exactly one successful delivery per payload, each from its replay run.
    const delivered = shop.requests.slice(fixedFrom);
    expect(delivered).toHaveLength(5);
    for (const { eventId, orderId } of sent) {
      const forOrder = delivered.filter((request) => (request.json() as { order: string }).order === orderId);
      expect(forOrder).toHaveLength(1);
      const replayRun = progress.find((line) => deadLetters.find((letter) => letter.id === line.deadLetterId)?.eventId === eventId).runId;
      expect(forOrder[0]!.headers['idempotency-key']).toBe(`${replayRun}:post`);
    }

    // The event shows both runs: the one that failed and its replay.
    const event = await reader.get(`/events/${sent[0]!.eventId}`);
    expect(event.body.runs.map((run: any) => [run.replay, run.status, run.replayOf])).toEqual([
      [0, 'failed', null],
      [1, 'succeeded', deadLetters[0]!.runId],
    ]);
  });

  it('lists and pages runs and dead letters by their filters', async () => {
    const first = await send('ops');
    const second = await send('ops');
    const letters = [await deadLetterOf(first.eventId, 'ops'), await deadLetterOf(second.eventId, 'ops')];

    const byEvent = await reader.get(`/runs?event=${first.eventId}`);
    expect(byEvent.body.items.map((run: any) => run.id)).toEqual([letters[0]!.runId]);
    expect((await reader.get(`/runs?rule=ops&status=succeeded`)).body.items).toEqual([]);

    const pages: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { items: { id: string }[]; nextCursor: string | null } } = await reader.get(
        `/dead-letters?source=ops&cause=destination_5xx&limit=1${cursor ? `&after=${cursor}` : ''}`,
      );
      pages.push(...page.body.items.map((item) => item.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(pages.slice(0, 2).sort()).toEqual(letters.map((letter) => letter.id).sort()); // the newest two
    expect(new Set(pages).size).toBe(pages.length);

    const createdAt = (await reader.get(`/runs/${letters[1]!.runId}`)).body.createdAt as string;
    expect((await reader.get(`/runs?rule=ops&from=${createdAt}`)).body.items.map((run: any) => run.id)).toContain(letters[1]!.runId);
    expect((await reader.get(`/runs?rule=ops&to=${createdAt}`)).body.items.map((run: any) => run.id)).not.toContain(letters[1]!.runId);
    expect((await reader.get('/dead-letters?cause=meteor')).body.details).toEqual([
      {
        path: 'cause',
        message: 'cause must be one of destination_4xx, destination_5xx, network, timeout, circuit_open, evaluation, config, system',
      },
    ]);
    expect((await reader.get('/runs?event=abc')).body.details).toEqual([{ path: 'event', message: 'event must be an event id (a UUID)' }]);
    expect((await reader.get(`/runs/${randomUUID()}`)).status).toBe(404);
    expect((await reader.get(`/dead-letters/${randomUUID()}`)).status).toBe(404);
  });

  it('answers 400 to a bad time, a NUL or an impossible cursor in runs and dead letters, and 404 to an id that is no UUID', async () => {
    const timeMessage = (path: string) => `${path} must be an RFC 3339 date-time with a time zone, such as 2026-01-01T00:00:00Z`;
    for (const listing of ['/runs', '/dead-letters']) {
      for (const time of ['2026-W01', '20260101T000000Z', '2026-04-31T00:00:00Z']) {
        expect(await reader.get(`${listing}?from=${time}`)).toMatchObject({
          status: 400,
          body: { error: 'invalid_request', details: [{ path: 'from', message: timeMessage('from') }] },
        });
        expect((await reader.get(`${listing}?to=${time}`)).body.details).toEqual([{ path: 'to', message: timeMessage('to') }]);
      }
      expect(await reader.get(`${listing}?rule=ops%00`)).toMatchObject({
        status: 400,
        body: { error: 'invalid_request', details: [{ path: 'rule', message: 'rule must not contain the NUL character (\\u0000)' }] },
      });
      const impossible = Buffer.from(
        JSON.stringify({ listing: listing.slice(1), at: '2026-13-45T99:99:99.000000Z', id: randomUUID() }),
      ).toString('base64url');
      expect(await reader.get(`${listing}?after=${impossible}`)).toMatchObject({
        status: 400,
        body: { details: [{ path: 'after', message: 'after must be the nextCursor of an earlier page of this same listing' }] },
      });
    }
    expect((await reader.get('/dead-letters?source=%00')).body.details).toEqual([
      { path: 'source', message: 'source must not contain the NUL character (\\u0000)' },
    ]);

    expect(await reader.post('/dead-letters/replay', { filter: { from: '20260101T000000Z' }, dryRun: true })).toMatchObject({
      status: 400,
      body: { error: 'invalid_request', details: [{ path: 'filter.from', message: timeMessage('from') }] },
    });
    expect(await reader.post('/dead-letters/replay', { filter: { rule: '\u0000' }, dryRun: true })).toMatchObject({
      status: 400,
      body: { details: [{ path: 'filter.rule', message: 'filter.rule must not contain the NUL character (\\u0000)' }] },
    });
    expect(await writer.post(`/dead-letters/${randomUUID()}/discard`, { reason: 'a\u0000b' })).toMatchObject({
      status: 400,
      body: { error: 'invalid_request', details: [{ path: 'reason', message: 'reason must not contain the NUL character (\\u0000)' }] },
    });

    expect(await reader.get('/runs/not-a-uuid')).toMatchObject({ status: 404, body: { message: 'run "not-a-uuid" does not exist' } });
    expect(await reader.get('/dead-letters/42')).toMatchObject({ status: 404, body: { message: 'dead letter "42" does not exist' } });
    expect((await writer.post('/dead-letters/42/replay')).status).toBe(404);
    expect((await writer.post('/dead-letters/42/discard', { reason: 'duplicate' })).status).toBe(404);
  });

  it('makes one run for two concurrent replays of a dead letter, and answers 409 to a replay of one that is not pending', async () => {
    const { eventId } = await send('ops');
    const letter = await deadLetterOf(eventId, 'ops');

    const answers = await Promise.all([writer.post(`/dead-letters/${letter.id}/replay`), writer.post(`/dead-letters/${letter.id}/replay`)]);
    const statuses = answers.map((answer) => answer.status).sort();
    expect(statuses).toEqual([200, 409]);
    const won = answers.find((answer) => answer.status === 200)!.body;
    expect(won).toEqual({ deadLetterId: letter.id, runId: expect.any(String), ruleVersion: 1, replay: 1 });
    expect(answers.find((answer) => answer.status === 409)!.body).toEqual({
      error: 'dead_letter_not_pending',
      message: `dead letter ${letter.id} is replayed (replay run ${won.runId}); only pending dead letters can be replayed`,
    });
    const runs = await reader.get(`/runs?event=${eventId}`);
    expect(runs.body.items.map((run: any) => [run.replay, run.replayOf])).toEqual([
      [1, letter.runId],
      [0, null],
    ]);

    expect(await writer.post(`/dead-letters/${letter.id}/replay`)).toMatchObject({
      status: 409,
      body: { error: 'dead_letter_not_pending' },
    });
    expect((await reader.post(`/dead-letters/${letter.id}/replay`)).status).toBe(403);
    expect(await writer.post(`/dead-letters/${randomUUID()}/replay`)).toMatchObject({ status: 404, body: { error: 'not_found' } });

    // The replay fails too (the receiver is still down): its own dead letter carries on, pending.
    const next = await deadLetterOf(eventId, 'ops', 1);
    expect(next).toMatchObject({ runId: won.runId, status: 'pending' });
    // Its retry stayed on the replays queue.
    expect(await queue(REPLAYS_QUEUE).getJob(runJobId(won.runId, 2))).toMatchObject({ data: { runId: won.runId, execution: 2 } });
    expect(await queue(RUNS_QUEUE).getJob(runJobId(won.runId, 2))).toBeUndefined();
    expect((await reader.get(`/dead-letters/${letter.id}`)).body).toMatchObject({ status: 'replayed', replayRunId: won.runId });
  });

  it('discards a pending dead letter with its reason, and then refuses to replay or discard it', async () => {
    const { eventId } = await send('ops');
    const letter = await deadLetterOf(eventId, 'ops');

    expect(await writer.post(`/dead-letters/${letter.id}/discard`, {})).toMatchObject({
      status: 400,
      body: {
        error: 'invalid_request',
        details: [
          { path: 'reason', message: 'reason must be from 1 to 1000 characters' },
          { path: 'reason', message: 'reason must be a sentence saying why the dead letter is discarded' },
        ],
      },
    });
    expect((await writer.post(`/dead-letters/${letter.id}/discard`, { reason: '' })).body.details).toEqual([
      { path: 'reason', message: 'reason must be from 1 to 1000 characters' },
    ]);
    expect((await reader.post(`/dead-letters/${letter.id}/discard`, { reason: 'no' })).status).toBe(403);

    const discarded = await writer.post(`/dead-letters/${letter.id}/discard`, { reason: 'the order was refunded by hand' });
    expect(discarded).toMatchObject({
      status: 200,
      body: { id: letter.id, status: 'discarded', discardReason: 'the order was refunded by hand', replayRunId: null },
    });
    expect(await writer.post(`/dead-letters/${letter.id}/replay`)).toMatchObject({
      status: 409,
      body: {
        error: 'dead_letter_not_pending',
        message: `dead letter ${letter.id} is discarded; only pending dead letters can be replayed`,
      },
    });
    expect(await writer.post(`/dead-letters/${letter.id}/discard`, { reason: 'again' })).toMatchObject({
      status: 409,
      body: { message: `dead letter ${letter.id} is discarded; only pending dead letters can be discarded` },
    });
    expect((await reader.get('/dead-letters?status=discarded&rule=ops')).body.items.map((item: any) => item.id)).toContain(letter.id);
  });

  it('replays with the rule’s current version, and resolves the whole chain when a later replay succeeds', async () => {
    const { eventId, orderId } = await send('chain');
    const original = await deadLetterOf(eventId, 'chain');

    const first = await writer.post(`/dead-letters/${original.id}/replay`);
    expect(first.body).toMatchObject({ ruleVersion: 1, replay: 1 });
    const retried = await deadLetterOf(eventId, 'chain', 1); // the receiver is still down

    stack.writeRules({ 'chain.yaml': chainRules('/v2') });
    await reloadRules();
    chain.answer(up);
    const fixedFrom = chain.requests.length;

    const second = await writer.post(`/dead-letters/${retried.id}/replay`);
    expect(second.body).toEqual({ deadLetterId: retried.id, runId: expect.any(String), ruleVersion: 2, replay: 2 });
    await runStatus(second.body.runId, 'succeeded');
    expect((await reader.get(`/runs/${second.body.runId}`)).body).toMatchObject({ ruleVersion: 2, replay: 2, replayOf: first.body.runId });

    for (const letter of [original, retried]) {
      expect((await reader.get(`/dead-letters/${letter.id}`)).body).toMatchObject({ status: 'resolved', resolvedAt: expect.any(String) });
    }
    const delivered = chain.requests.slice(fixedFrom);
    expect(delivered.map((request) => [request.url, (request.json() as { order: string }).order])).toEqual([['/v2', orderId]]);
  });

  it('replays an event through the current rules that match it, or through one rule, and says which matched', async () => {
    const { eventId, orderId } = await send('multi', { total: 50 });
    const [dispatched] = await waitFor(async () => {
      const runs = (await reader.get(`/runs?event=${eventId}`)).body.items as { id: string; status: string }[];
      return runs.length === 1 && runs[0]!.status === 'succeeded' ? runs : undefined;
    });

    const replay = await writer.post(`/events/${eventId}/replay`, {});
    expect(replay).toEqual({
      status: 200,
      headers: expect.anything(),
      body: {
        eventId,
        runs: [
          { runId: expect.any(String), ruleId: 'multi-a', ruleVersion: 1, replay: 1, replayOf: dispatched!.id, deadLettersReplayed: [] },
        ],
        skipped: [{ ruleId: 'multi-b', reason: 'when', message: 'rule "multi-b": when gave false' }],
      },
    });
    await runStatus(replay.body.runs[0].runId, 'succeeded');
    const received = multi.requests.filter((request) => (request.json() as { order: string }).order === orderId);
    expect(received.map((request) => request.headers['idempotency-key'])).toEqual([
      `${dispatched!.id}:post`,
      `${replay.body.runs[0].runId}:post`,
    ]);

    expect((await writer.post(`/events/${eventId}/replay`, { ruleId: 'multi-b' })).body).toEqual({
      eventId,
      runs: [],
      skipped: [{ ruleId: 'multi-b', reason: 'when', message: 'rule "multi-b": when gave false' }],
    });
    expect((await writer.post(`/events/${eventId}/replay`, { ruleId: 'forward' })).body.skipped).toEqual([
      { ruleId: 'forward', reason: 'source', message: 'rule "forward" is for source "shop", the event came from "multi"' },
    ]);
    expect(await writer.post(`/events/${eventId}/replay`, { ruleId: 'nope' })).toMatchObject({
      status: 404,
      body: { error: 'not_found', message: 'rule "nope" does not exist' },
    });
    expect((await writer.post(`/events/${randomUUID()}/replay`, {})).status).toBe(404);
    expect((await reader.post(`/events/${eventId}/replay`, {})).status).toBe(403);
    expect((await writer.post(`/events/${eventId}/replay`, { ruleId: 42 })).status).toBe(400);
  });

  it('lets an event replay take over the pending dead letter of its rule', async () => {
    const { eventId } = await send('ops');
    const letter = await deadLetterOf(eventId, 'ops');

    const replay = await writer.post(`/events/${eventId}/replay`, { ruleId: 'ops' });
    expect(replay.status).toBe(200);
    expect(replay.body.runs).toEqual([
      { runId: expect.any(String), ruleId: 'ops', ruleVersion: 1, replay: 1, replayOf: letter.runId, deadLettersReplayed: [letter.id] },
    ]);
    expect((await reader.get(`/dead-letters/${letter.id}`)).body).toMatchObject({
      status: 'replayed',
      replayRunId: replay.body.runs[0].runId,
    });
  });

  it('answers 409 naming the runs of the event still in flight, replays anyway with force, and makes one run for two replays at once', async () => {
    const { eventId } = await send('slow');
    const dispatched = await waitFor(async () => {
      const runs = (await reader.get(`/runs?event=${eventId}`)).body.items as { id: string; status: string }[];
      return runs.length === 1 && runs[0]!.status === 'retrying' ? runs[0] : undefined;
    });

    const refused = await writer.post(`/events/${eventId}/replay`, {});
    expect(refused).toMatchObject({
      status: 409,
      body: {
        error: 'runs_in_flight',
        message:
          `event ${eventId} has runs that have not finished (${dispatched.id}), so a replay now could deliver it twice; ` +
          'wait for them to finish, or send "force": true to replay anyway',
        details: [{ path: 'force', message: `run ${dispatched.id} of rule "slow" is retrying` }],
      },
    });
    expect(await writer.post(`/events/${eventId}/replay`, { ruleId: 'slow' })).toMatchObject({
      status: 409,
      body: { error: 'runs_in_flight' },
    });
    expect((await reader.get(`/runs?event=${eventId}`)).body.items).toHaveLength(1);
    expect((await writer.post(`/events/${eventId}/replay`, { force: 'yes' })).status).toBe(400);

    const forced = await writer.post(`/events/${eventId}/replay`, { force: true });
    expect(forced.status).toBe(200);
    expect(forced.body.runs).toEqual([
      { runId: expect.any(String), ruleId: 'slow', ruleVersion: 1, replay: 1, replayOf: dispatched.id, deadLettersReplayed: [] },
    ]);
    const again = await writer.post(`/events/${eventId}/replay`, { ruleId: 'slow' });
    expect(again.status).toBe(409);
    expect(again.body.details).toEqual([
      { path: 'force', message: `run ${dispatched.id} of rule "slow" is retrying` },
      {
        path: 'force',
        message: expect.stringMatching(new RegExp(`^run ${forced.body.runs[0].runId} of rule "slow" is (pending|running|retrying)$`)),
      },
    ]);

    // Two replays at once of an event whose runs are done: the second finds the first's run in flight.
    const { eventId: doneId } = await send('multi', { total: 10 });
    await waitFor(async () => (await reader.get(`/runs?event=${doneId}`)).body.items[0]?.status === 'succeeded');
    const answers = await Promise.all([writer.post(`/events/${doneId}/replay`, {}), writer.post(`/events/${doneId}/replay`, {})]);
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 409]);
    expect((await reader.get(`/runs?event=${doneId}`)).body.items).toHaveLength(2);
  });

  it('answers 409 when the rule of a dead letter is disabled, and a bulk replay reports it and goes on', async () => {
    const { eventId } = await send('vault');
    const letter = await deadLetterOf(eventId, 'vault');
    stack.writeRules({ 'vault.yaml': vaultRules(false) });
    await reloadRules();

    expect(await writer.post(`/dead-letters/${letter.id}/replay`)).toMatchObject({
      status: 409,
      body: { error: 'rule_disabled', message: `rule "vault" is disabled; resume it before replaying dead letter ${letter.id}` },
    });
    expect(await writer.post(`/events/${eventId}/replay`, { ruleId: 'vault' })).toMatchObject({
      status: 409,
      body: { error: 'rule_disabled', message: 'rule "vault" is disabled; resume it before replaying events through it' },
    });
    expect((await writer.post(`/events/${eventId}/replay`, {})).body).toEqual({ eventId, runs: [], skipped: [] });

    const bulk = await bulkReplay(writer, { rule: 'vault' });
    expect(bulk.lines).toEqual([
      {
        failed: 1,
        total: 1,
        deadLetterId: letter.id,
        error: 'rule_disabled',
        message: `rule "vault" is disabled; resume it before replaying dead letter ${letter.id}`,
      },
      { done: true, replayed: 0, failed: 1 },
    ]);
    expect((await reader.get(`/dead-letters/${letter.id}`)).body.status).toBe('pending');
  });

  it('checks a bulk replay request: a filter is required, only pending can be replayed, a read key may only count', async () => {
    expect(await writer.post('/dead-letters/replay', { dryRun: true })).toMatchObject({
      status: 400,
      body: { details: [{ path: 'filter', message: 'filter must be given ({} replays every pending dead letter)' }] },
    });
    expect((await writer.post('/dead-letters/replay', { filter: { status: 'resolved' }, dryRun: true })).body.details).toEqual([
      { path: 'filter.status', message: 'status can only be pending: only pending dead letters can be replayed' },
    ]);
    expect((await writer.post('/dead-letters/replay', { filter: { rule: 'no-such-rule' }, dryRun: true })).body).toEqual({ count: 0 });
    expect(await reader.post('/dead-letters/replay', { filter: { rule: 'no-such-rule' } })).toMatchObject({
      status: 403,
      body: { error: 'forbidden', message: expect.stringContaining('a replay needs a write key') },
    });
    const empty = await bulkReplay(writer, { rule: 'no-such-rule' });
    expect(empty.lines).toEqual([{ done: true, replayed: 0, failed: 0 }]);
  });
});

/** A replay whose job cannot be queued is taken back, so the operator knows at once that nothing was replayed. */
describe('admin API: a replay while the run queue is unreachable', () => {
  let stack: TestStack;
  let receiver: TestReceiver;
  let writer: AdminClient;

  beforeAll(async () => {
    receiver = await TestReceiver.start(down);
    stack = await TestStack.start({
      rules: {
        'ops.yaml': rulesFile(
          [hmacSource('ops')],
          [httpRule('ops', 'ops', [{ id: 'post', url: `${receiver.url}/ops` }], { retry: FAST_RETRY })],
        ),
      },
      // The engine's runs sweeper would queue the run (its Redis is fine) before the admin API takes it back.
      env: { HOOKFLOW_CIRCUIT_FAILURES: '0', HOOKFLOW_SWEEP_GRACE: '1m' },
      adminEnv: { REDIS_URL: `redis://127.0.0.1:${await closedPort()}` },
      admin: true,
    });
    writer = new AdminClient(stack.adminUrl, await stack.createApiKey('write'));
  });

  afterAll(async () => {
    await stack?.close();
    await receiver?.close();
  });

  it('answers 503 and leaves the dead letter pending, with no run made', async () => {
    const answer = await deliver(stack.ingestUrl, 'ops', orderEvent(), { secret: SECRET });
    const eventId = answer.body.eventId as string;
    const [letter] = await waitFor(async () => {
      const rows = await stack.query<{ id: string }>(`SELECT id FROM dead_letters WHERE event_id = $1`, [eventId]);
      return rows.length > 0 ? rows : undefined;
    });

    expect(await writer.post(`/dead-letters/${letter!.id}/replay`)).toMatchObject({
      status: 503,
      body: { error: 'queue_unavailable', message: 'the run queue (Redis) is unavailable, so nothing was replayed; try again later' },
    });
    expect((await writer.get(`/dead-letters/${letter!.id}`)).body).toMatchObject({ status: 'pending', replayRunId: null });
    expect(await stack.query('SELECT replay FROM runs WHERE event_id = $1', [eventId])).toEqual([{ replay: 0 }]);
  });
});

/** Replays go through a queue of their own, at HOOKFLOW_REPLAY_RATE across engines. */
describe('admin API: a bulk replay is throttled', () => {
  let stack: TestStack;
  let receiver: TestReceiver;
  let writer: AdminClient;

  beforeAll(async () => {
    receiver = await TestReceiver.start(down);
    stack = await TestStack.start({
      rules: {
        'ops.yaml': rulesFile(
          [hmacSource('ops')],
          [httpRule('ops', 'ops', [{ id: 'post', url: `${receiver.url}/ops` }], { retry: '{ attempts: 1 }' })],
        ),
      },
      env: { HOOKFLOW_CIRCUIT_FAILURES: '0', HOOKFLOW_REPLAY_RATE: '2/s', HOOKFLOW_REPLAY_CONCURRENCY: '4' },
      admin: true,
    });
    writer = new AdminClient(stack.adminUrl, await stack.createApiKey('write'));
  });

  afterAll(async () => {
    await stack?.close();
    await receiver?.close();
  });

  it('takes at most HOOKFLOW_REPLAY_RATE replay jobs per period, and still resolves every dead letter', async () => {
    for (let index = 0; index < 6; index += 1) {
      expect((await deliver(stack.ingestUrl, 'ops', orderEvent(), { secret: SECRET })).status).toBe(202);
    }
    await waitFor(async () => {
      const [row] = await stack.query<{ count: number }>(`SELECT count(*)::int AS count FROM dead_letters WHERE status = 'pending'`);
      return row?.count === 6 ? true : undefined;
    });
    receiver.answer(up);

    const replay = await writer.request<string>('POST', '/dead-letters/replay', { filter: { rule: 'ops' } });
    const runIds = replay.body
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { runId?: string })
      .flatMap((line) => (line.runId ? [line.runId] : []));
    expect(runIds).toHaveLength(6);
    await waitFor(async () => {
      const [row] = await stack.query<{ count: number }>(`SELECT count(*)::int AS count FROM dead_letters WHERE status = 'resolved'`);
      return row?.count === 6 ? true : undefined;
    });

    // 2 a second: the six jobs were taken in three periods, so the last at least 2 s after the first.
    const replays = stack.engine!.get<Queue>(getQueueToken(REPLAYS_QUEUE));
    const taken = await Promise.all(runIds.map(async (runId) => (await replays.getJob(runJobId(runId, 1)))?.processedOn ?? NaN));
    expect(Math.max(...taken) - Math.min(...taken)).toBeGreaterThanOrEqual(1_900);
  });
});

/** A local port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
