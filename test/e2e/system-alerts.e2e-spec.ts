import { HookflowMetrics } from '@hookflow/telemetry';
import { AlertDetector } from '../../apps/engine/src/alerts/alert-detector.service';
import { SystemAlert } from '../../apps/engine/src/alerts/system-alert';
import { SystemEvents } from '../../apps/engine/src/alerts/system-events.service';
import { AdminClient } from '../support/admin-client';
import { deliver, sleep, waitFor } from '../support/deliveries';
import { TestReceiver } from '../support/receiver';
import { hmacSource, httpRule, orderEvent, rulesFile, SECRET } from '../support/rule-files';
import { SmtpPeer } from '../support/smtp-peer';
import { TestStack } from '../support/test-stack';

interface SystemEventRow extends Record<string, unknown> {
  id: string;
  type: string;
  payload: Record<string, unknown>;
}

const CONSOLE_URL = 'https://hookflow.test/console';
const ON_CALL = 'oncall@example.com';

async function systemEvents(stack: TestStack, type?: string): Promise<SystemEventRow[]> {
  return stack.query<SystemEventRow>(
    `SELECT id, type, payload FROM events WHERE source_id = 'hookflow' AND ($1::text IS NULL OR type = $1) ORDER BY received_at, id`,
    [type ?? null],
  );
}

/** The coalescing window an alert was emitted in (SystemEvents puts it in every payload). */
function windowOf(row: SystemEventRow): { start: string; end: string } {
  return row.payload.window as { start: string; end: string };
}

/** An alert rule on the built-in source: the same YAML as any other rule, minus a source definition. */
function emailAlertRule(id: string, events: string): string {
  return `  - id: ${id}
    source: hookflow
    events: [${events}]
    retry: { attempts: 1 }
    steps:
      - id: mail
        type: email
        to: ["${ON_CALL}"]
        subject: "[hookflow] {{ event.type }}: {{ payload.rule }}"
        text: "{{ payload.summary }} {{ payload.consoleUrl }}"`;
}

/**
 * Hookflow's own events on the whole stack: a failing destination dead-letters runs and opens its
 * circuit, which become `hookflow` events that ordinary rules turn into an email and a chat POST;
 * coalesced per subject and window, and never about an alert rule's own failure.
 */
describe('system alerts: dead letters and circuits', () => {
  let stack: TestStack;
  let refusing: TestReceiver;
  let down: TestReceiver;
  let chat: TestReceiver;
  let sink: TestReceiver;
  let smtp: SmtpPeer;

  beforeAll(async () => {
    refusing = await TestReceiver.start(() => ({ status: 422, body: 'unknown customer' })); // not retried, not a circuit failure
    down = await TestReceiver.start(() => ({ status: 503, body: 'down for maintenance' }));
    chat = await TestReceiver.start(() => ({ status: 400, body: 'bad token' }));
    sink = await TestReceiver.start();
    smtp = await SmtpPeer.start();
    stack = await TestStack.start({
      admin: true,
      env: {
        HOOKFLOW_SMTP_URL: smtp.url,
        HOOKFLOW_CIRCUIT_FAILURES: '2',
        HOOKFLOW_CIRCUIT_COOLDOWN: '1h',
        HOOKFLOW_CONSOLE_URL: CONSOLE_URL,
      },
      rules: {
        'shop.yaml': rulesFile(
          [hmacSource('shop')],
          [
            httpRule('notify', 'shop', [{ id: 'post', url: `${refusing.url}/orders` }]),
            httpRule('mirror', 'shop', [{ id: 'post', url: `${down.url}/orders` }], {
              retry: '{ attempts: 2, backoff: fixed, delay: 50ms }',
            }),
            // A catch-all for deliveries: it must never see Hookflow's own events.
            httpRule('catch-all', '"*"', [{ id: 'post', url: `${sink.url}/all` }], { events: '"**"' }),
          ],
        ),
        'alerts.yaml': `rules:
${emailAlertRule('email-on-call', '"run.dead_lettered"')}
${httpRule('chat-alert', 'hookflow', [{ id: 'post', url: `${chat.url}/alerts`, body: '{ text: "{{ payload.summary }}" }' }], {
  events: '"run.dead_lettered"',
  retry: '{ attempts: 1 }',
})}
`,
      },
    });
  });

  afterAll(async () => {
    await stack?.close();
    await Promise.all([refusing?.close(), down?.close(), chat?.close(), sink?.close(), smtp?.close()]);
  });

  async function send(): Promise<string> {
    const answer = await deliver(stack.ingestUrl, 'shop', orderEvent(), { secret: SECRET });
    expect(answer.status).toBe(202);
    return answer.body.eventId as string;
  }

  const deadLettersOf = (rule: string) => stack.query<{ run_id: string }>('SELECT run_id FROM dead_letters WHERE rule_id = $1', [rule]);

  it('emits run.dead_lettered and circuit.opened, and the alert rule emails the on-call', async () => {
    const eventId = await send();

    const [notifyRun] = await waitFor(
      async () => (await deadLettersOf('notify')).length === 1 && deadLettersOf('notify'),
      15_000,
      'notify dead letter',
    );
    const deadLettered = await waitFor(
      async () => {
        const rows = await systemEvents(stack, 'run.dead_lettered');
        return rows.length === 2 && rows;
      },
      15_000,
      'two run.dead_lettered events',
    );
    const aboutNotify = deadLettered.find((row) => row.payload.rule === 'notify');
    expect(aboutNotify?.payload).toMatchObject({
      type: 'run.dead_lettered',
      source: 'shop',
      rule: 'notify',
      eventId,
      eventType: 'order.created',
      stepId: 'post',
      cause: 'destination_4xx',
      runId: notifyRun?.run_id,
      consoleUrl: `${CONSOLE_URL}/runs/${notifyRun?.run_id}`,
    });
    expect(String(aboutNotify?.payload.lastError)).toContain('422');
    expect(deadLettered.map((row) => row.payload.rule).sort()).toEqual(['mirror', 'notify']);

    const [opened] = await waitFor(
      async () => {
        const rows = await systemEvents(stack, 'circuit.opened');
        return rows.length > 0 && rows;
      },
      15_000,
      'circuit.opened',
    );
    expect(opened?.payload).toMatchObject({ destination: down.url, failures: 2, consoleUrl: `${CONSOLE_URL}/` });

    const mail = await waitFor(
      () => smtp.messagesTo(ON_CALL).find((message) => message.parsed.subject === '[hookflow] run.dead_lettered: notify'),
      15_000,
      'the alert email',
    );
    expect(mail.parsed.text).toContain(`${CONSOLE_URL}/runs/${notifyRun?.run_id}`);
    await waitFor(
      () => smtp.messagesTo(ON_CALL).some((message) => message.parsed.subject === '[hookflow] run.dead_lettered: mirror'),
      15_000,
      'the second alert email',
    );

    // `*` rules are for deliveries: the catch-all saw the order, never an alert.
    expect(sink.requests.map((request) => request.headers['x-test'])).toEqual(['order.created']);
  });

  it("never emits an event about an alert rule's own failure", async () => {
    // The chat rule failed (400, not retried) on both alerts: dead-lettered, like any rule.
    await waitFor(async () => (await deadLettersOf('chat-alert')).length === 2, 15_000, 'chat-alert dead letters');
    await sleep(500); // room for a (wrong) system event about them to be stored

    const events = await systemEvents(stack);
    expect(events.filter((row) => row.payload.rule === 'chat-alert' || row.payload.rule === 'email-on-call')).toEqual([]);
    expect(events.map((row) => row.type).sort()).toEqual(['circuit.opened', 'run.dead_lettered', 'run.dead_lettered']);
  });

  it('replays a hookflow event through the rules that name hookflow only, never a `*` rule', async () => {
    const [opened] = await systemEvents(stack, 'circuit.opened');
    const admin = new AdminClient(stack.adminUrl, await stack.createApiKey('write'));
    type Replay = { runs: unknown[]; skipped: { ruleId: string; reason: string }[] };

    const whole = await admin.post<Replay>(`/events/${opened?.id}/replay`, {});
    expect(whole.status).toBe(200);
    expect(whole.body.runs).toEqual([]); // neither alert rule takes circuit.opened
    expect(whole.body.skipped.map((skipped) => skipped.ruleId).sort()).toEqual(['chat-alert', 'email-on-call']);
    const named = await admin.post<Replay>(`/events/${opened?.id}/replay`, { ruleId: 'catch-all' });
    expect(named.body).toMatchObject({ runs: [], skipped: [{ ruleId: 'catch-all', reason: 'source' }] });
    expect(sink.requests).toHaveLength(1); // the order only
  });

  it('coalesces a second dead letter of the same rule within the window', async () => {
    await send();
    await waitFor(async () => (await deadLettersOf('notify')).length === 2, 15_000, 'the second notify dead letter');
    await sleep(300);

    // Windows are aligned on the clock (15 minutes by default): the two dead letters are seconds
    // apart, yet may straddle a window's end. One event per window, so one, or two when they did.
    const aboutNotify = (await systemEvents(stack, 'run.dead_lettered')).filter((row) => row.payload.rule === 'notify');
    expect(new Set(aboutNotify.map((row) => windowOf(row).start)).size).toBe(aboutNotify.length);
    expect(aboutNotify.length).toBeLessThanOrEqual(2);
    const emails = () => smtp.messagesTo(ON_CALL).filter((message) => message.parsed.subject === '[hookflow] run.dead_lettered: notify');
    await waitFor(() => emails().length === aboutNotify.length, 15_000, 'one email per notify alert');
    const metrics = await stack.engine!.get(HookflowMetrics).render();
    const counted = (outcome: string) =>
      Number(
        new RegExp(`hookflow_system_events_total\\{type="run\\.dead_lettered",outcome="${outcome}"\\} (\\d+)`).exec(metrics)?.[1] ?? 0,
      );
    expect({ emitted: counted('emitted'), coalesced: counted('coalesced') }).toEqual({
      emitted: 1 + aboutNotify.length, // mirror's, and notify's one per window
      coalesced: 2 - aboutNotify.length,
    });
  });

  it('emits run.recovered when the replay of a dead letter succeeds', async () => {
    refusing.answer(() => ({ status: 200, body: '{}' }));
    const admin = new AdminClient(stack.adminUrl, await stack.createApiKey('write'));
    const [deadLetter] = await stack.query<{ id: string }>(
      "SELECT id FROM dead_letters WHERE rule_id = 'notify' ORDER BY created_at LIMIT 1",
    );
    const replay = await admin.post<{ runId: string }>(`/dead-letters/${deadLetter?.id}/replay`);
    expect(replay.status).toBe(200);

    const [recovered] = await waitFor(
      async () => {
        const rows = await systemEvents(stack, 'run.recovered');
        return rows.length > 0 && rows;
      },
      15_000,
      'run.recovered',
    );
    expect(recovered?.payload).toMatchObject({
      source: 'shop',
      rule: 'notify',
      runId: replay.body.runId,
      deadLetterId: deadLetter?.id,
      consoleUrl: `${CONSOLE_URL}/runs/${replay.body.runId}`,
    });
  });
  it('reports a problem again when it follows its own end in one window, and still coalesces its repeats', async () => {
    const emitter = stack.engine!.get(SystemEvents);
    // One 15-minute window of its own, far from the clock's: every alert below falls in it.
    const at = (second: number) => new Date(Date.UTC(2031, 0, 1, 0, 0, second));
    const alert = (type: SystemAlert['type'], subject: string, step: number): SystemAlert => ({
      type,
      subject,
      payload: { summary: `${type} #${step}`, consoleUrl: CONSOLE_URL, rule: subject },
    });
    const emitAll = async (subject: string, types: SystemAlert['type'][]) => {
      const outcomes = [];
      for (const [step, type] of types.entries()) outcomes.push(await emitter.emit(alert(type, subject, step), at(step)));
      return outcomes;
    };
    const summariesOf = async (subject: string) =>
      (await systemEvents(stack)).filter((row) => row.payload.rule === subject).map((row) => row.payload.summary);

    const runOutcomes = await emitAll('flapping-rule', [
      'run.dead_lettered',
      'run.dead_lettered',
      'run.recovered',
      'run.dead_lettered',
      'run.dead_lettered',
      'run.recovered',
      'run.recovered',
    ]);
    const circuitOutcomes = await emitAll('https://flapping.example', [
      'circuit.opened',
      'circuit.closed',
      'circuit.opened',
      'circuit.opened',
    ]);

    expect(runOutcomes).toEqual(['emitted', 'coalesced', 'emitted', 'emitted', 'coalesced', 'emitted', 'coalesced']);
    expect(circuitOutcomes).toEqual(['emitted', 'emitted', 'emitted', 'coalesced']);
    // The operator's latest message is the subject's latest state.
    expect(await summariesOf('flapping-rule')).toEqual([
      'run.dead_lettered #0',
      'run.recovered #2',
      'run.dead_lettered #3',
      'run.recovered #5',
    ]);
    expect(await summariesOf('https://flapping.example')).toEqual(['circuit.opened #0', 'circuit.closed #1', 'circuit.opened #2']);
  });
});

describe('system alerts: silent sources', () => {
  let stack: TestStack;
  let pager: TestReceiver;

  beforeAll(async () => {
    pager = await TestReceiver.start();
    stack = await TestStack.start({
      admin: true,
      env: { HOOKFLOW_ALERT_CHECK_INTERVAL: '200ms', HOOKFLOW_ALERT_WINDOW: '1h', HOOKFLOW_CONSOLE_URL: CONSOLE_URL },
      rules: {
        'sources.yaml': rulesFile([hmacSource('quiet', '    expectEvery: 1s'), hmacSource('busy', '    expectEvery: 1d')], []),
        'alerts.yaml': `rules:
${httpRule('page', 'hookflow', [{ id: 'post', url: `${pager.url}/page`, body: '{ text: "{{ payload.summary }}" }' }], {
  events: '"source.silent"',
})}
`,
      },
    });
  });

  afterAll(async () => {
    await stack?.close();
    await pager?.close();
  });

  it('fires source.silent once per window for a source quiet longer than its expectEvery', async () => {
    const [silent] = await waitFor(
      async () => {
        const rows = await systemEvents(stack, 'source.silent');
        return rows.length > 0 && rows;
      },
      10_000,
      'source.silent',
    );
    expect(silent?.payload).toMatchObject({
      source: 'quiet',
      expectEvery: '1s',
      lastReceivedAt: null,
      consoleUrl: `${CONSOLE_URL}/sources/quiet`,
    });
    await waitFor(() => pager.requests.length >= 1, 10_000, 'the page');

    await sleep(1_000); // five more rounds of the detector
    // Windows are aligned on the clock: these rounds may straddle the top of an hour, so the
    // assertion is one event per window (one window, or two when they did), never one per round.
    const alerts = await systemEvents(stack, 'source.silent');
    const windows = alerts.map(windowOf);
    expect(new Set(windows.map((window) => window.start)).size).toBe(alerts.length);
    expect(alerts.length).toBeLessThanOrEqual(2);

    // A later window alerts again while the source stays quiet: one past any the detector reached.
    const latestEnd = Math.max(...windows.map((window) => Date.parse(window.end)));
    const laterWindow = new Date(latestEnd + 3_600_000);
    expect(await stack.engine!.get(AlertDetector).check(laterWindow)).toEqual(['emitted']);
    const after = await systemEvents(stack, 'source.silent');
    expect(after.filter((row) => windowOf(row).start === laterWindow.toISOString())).toHaveLength(1);
    expect(new Set(after.map((row) => row.payload.source))).toEqual(new Set(['quiet']));
    // Each alert was paged once: the rule ran once per event, whatever windows they fell in.
    await waitFor(async () => pager.requests.length === (await systemEvents(stack, 'source.silent')).length, 10_000, 'one page per alert');
  });

  it('takes no delivery from outside on the built-in source', async () => {
    const answer = await deliver(stack.ingestUrl, 'hookflow', JSON.stringify({ type: 'run.dead_lettered' }));
    expect(answer.status).toBe(404);
  });

  it('keeps the built-in source out of reach of the rules directory and the admin API', async () => {
    // The directory sync at start-up defined no `hookflow`, and left it alone.
    expect(await stack.query("SELECT origin, enabled FROM sources WHERE id = 'hookflow'")).toEqual([{ origin: 'system', enabled: true }]);
    const admin = new AdminClient(stack.adminUrl, await stack.createApiKey('write'));

    const listed = await admin.get<{ items: { id: string }[] }>('/sources');
    expect(listed.body.items.map((source) => source.id)).toEqual(['busy', 'quiet']);
    expect((await admin.get('/sources/hookflow')).status).toBe(404);
    expect((await admin.delete('/sources/hookflow')).status).toBe(404);
    const created = await admin.post('/sources', { id: 'hookflow', provider: 'none' });
    expect(created.status).toBe(422);
    expect(JSON.stringify(created.body)).toContain('reserved');
  });
});
