import { AddressInfo, createServer, Socket } from 'node:net';
import { SmtpPeer } from '../../../../test/support/smtp-peer';
import { StepInvocation } from '../step-executor';
import { classifySmtpError, EmailStepExecutor } from './email.step';

const FROM = 'Hookflow <hookflow@localhost>';
const invocation: StepInvocation = { runId: 'run-1', stepId: 'mail', attempt: 1 };
const message = { to: 'ops@example.com', subject: 'Order ord_1', text: 'Total 12.50' };

describe('EmailStepExecutor', () => {
  let peer: SmtpPeer;
  let executor: EmailStepExecutor;

  beforeAll(async () => {
    peer = await SmtpPeer.start((recipient) => {
      if (recipient === 'gone@example.com') return { code: 550, message: '5.1.1 No such user' };
      if (recipient === 'busy@example.com') return { code: 451, message: '4.7.1 Greylisted, try again later' };
      return undefined;
    });
    executor = new EmailStepExecutor({ url: peer.url, from: FROM });
  });

  afterAll(async () => {
    executor?.close();
    await peer?.close();
  });

  it('sends the rendered message with the idempotency header, and reports what the server accepted', async () => {
    const outcome = await executor.execute(
      { ...message, to: ['ops@example.com', 'Finance <finance@example.com>'], cc: 'cc@example.com', html: '<b>12.50</b>' },
      invocation,
    );

    expect(outcome).toMatchObject({
      status: 'succeeded',
      output: {
        messageId: expect.stringMatching(/^<.+>$/) as unknown,
        accepted: ['ops@example.com', 'finance@example.com', 'cc@example.com'],
        rejected: [],
        response: expect.stringMatching(/^250 /) as unknown,
      },
      responseStatus: 250,
      request: { from: FROM, to: ['ops@example.com', 'Finance <finance@example.com>'], subject: 'Order ord_1', textBytes: 11 },
    });
    const [received] = peer.messagesTo('finance@example.com');
    expect(received?.envelope).toEqual({
      from: 'hookflow@localhost',
      to: ['ops@example.com', 'finance@example.com', 'cc@example.com'],
    });
    expect(received?.parsed.subject).toBe('Order ord_1');
    expect(received?.parsed.text?.trim()).toBe('Total 12.50');
    expect(received?.parsed.html).toContain('<b>12.50</b>');
    expect(received?.parsed.headers.get('x-hookflow-idempotency-key')).toBe('run-1:mail');
  });

  it('uses the step sender and reply-to over the default', async () => {
    await executor.execute(
      { ...message, to: 'sender-test@example.com', from: 'Ops <ops@example.org>', replyTo: 'help@example.org' },
      invocation,
    );

    const [received] = peer.messagesTo('sender-test@example.com');
    expect(received?.envelope.from).toBe('ops@example.org');
    expect(received?.parsed.replyTo?.text).toBe('help@example.org');
  });

  it('fails without retry when the server refuses the recipient permanently (550)', async () => {
    await expect(executor.execute({ ...message, to: 'gone@example.com' }, invocation)).resolves.toMatchObject({
      status: 'failed',
      retryable: false,
      cause: 'destination_4xx',
      responseStatus: 550,
      error: 'SMTP server answered 550 5.1.1 No such user',
    });
  });

  it('fails retryably when the server defers the recipient (451)', async () => {
    await expect(executor.execute({ ...message, to: 'busy@example.com' }, invocation)).resolves.toMatchObject({
      status: 'failed',
      retryable: true,
      cause: 'destination_5xx',
      responseStatus: 451,
    });
  });

  it('succeeds when only some recipients are refused, listing them', async () => {
    const outcome = await executor.execute({ ...message, to: ['partial@example.com', 'gone@example.com'] }, invocation);

    expect(outcome).toMatchObject({ status: 'succeeded', output: { accepted: ['partial@example.com'], rejected: ['gone@example.com'] } });
  });

  it.each([
    ['a malformed recipient', { to: 'ops at example.com' }, 'to: "ops at example.com" is not an address such as someone@example.com'],
    ['two recipients in one string', { to: 'a@example.com, b@example.com' }, 'to: "a@example.com, b@example.com" is not an address'],
    ['a recipient list that rendered empty', { to: [''] }, 'to rendered no address'],
    ['a malformed sender', { from: 'hookflow' }, 'from: "hookflow" is not an address'],
    ['a malformed cc', { cc: ['ok@example.com', 'nope'] }, 'cc: "nope" is not an address'],
    ['an empty subject', { subject: '' }, 'subject rendered empty'],
    ['no text and no html', { text: null }, 'text and html both rendered empty'],
  ])('fails without retry or sending for %s', async (_case, override, error) => {
    const before = peer.recipientsOffered.length;

    const outcome = await executor.execute({ ...message, ...override }, invocation);

    expect(outcome).toMatchObject({ status: 'failed', retryable: false, cause: 'config' });
    expect((outcome as { error: string }).error).toContain(error);
    expect(peer.recipientsOffered).toHaveLength(before);
  });

  it('fails without retry when no SMTP server is configured', async () => {
    const unconfigured = new EmailStepExecutor({ from: FROM });

    await expect(unconfigured.execute(message, invocation)).resolves.toMatchObject({
      status: 'failed',
      retryable: false,
      cause: 'config',
      error: expect.stringContaining('HOOKFLOW_SMTP_URL') as unknown,
    });
  });

  it('fails retryably, cause network, when nothing listens', async () => {
    const closed = await unusedPort();
    const unreachable = new EmailStepExecutor({ url: `smtp://127.0.0.1:${closed}`, from: FROM });
    try {
      await expect(unreachable.execute(message, invocation)).resolves.toMatchObject({
        status: 'failed',
        retryable: true,
        cause: 'network',
      });
    } finally {
      unreachable.close();
    }
  });

  it('fails retryably, cause timeout, when the server never answers within the step timeout', async () => {
    const silent = await listenSilently();
    const stalled = new EmailStepExecutor({ url: `smtp://127.0.0.1:${silent.port}`, from: FROM });
    try {
      await expect(stalled.execute(message, { ...invocation, timeoutMs: 200 })).resolves.toMatchObject({
        status: 'failed',
        retryable: true,
        cause: 'timeout',
        error: 'no answer within 200 ms',
      });
    } finally {
      stalled.close();
      silent.close();
    }
  });
});

describe('classifySmtpError', () => {
  it.each([
    [421, true, 'destination_5xx'],
    [450, true, 'destination_5xx'],
    [452, true, 'destination_5xx'],
    [535, false, 'destination_4xx'],
    [552, false, 'destination_4xx'],
    [554, false, 'destination_4xx'],
  ])('maps SMTP reply %i to retryable %p, cause %s', (responseCode, retryable, cause) => {
    const error = Object.assign(new Error('refused'), { code: 'EENVELOPE', responseCode, response: `${responseCode} refused` });

    expect(classifySmtpError(error, 1000)).toEqual({
      error: `SMTP server answered ${responseCode} refused`,
      retryable,
      cause,
      responseStatus: responseCode,
    });
  });

  it.each([
    ['ECONNECTION', true, 'network'],
    ['ESOCKET', true, 'network'],
    ['EDNS', true, 'network'],
    ['ETLS', true, 'network'],
    ['ETIMEDOUT', true, 'timeout'],
    ['EABORT', true, 'timeout'],
    ['EAUTH', false, 'config'],
    ['ENOAUTH', false, 'config'],
    ['EENVELOPE', false, 'config'],
  ])('maps nodemailer error %s without a reply to retryable %p, cause %s', (code, retryable, cause) => {
    expect(classifySmtpError(Object.assign(new Error('failed'), { code }), 1000)).toMatchObject({ retryable, cause, responseStatus: null });
  });
});

function unusedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** A TCP server that accepts connections and never sends the SMTP greeting. */
function listenSilently(): Promise<{ port: number; close(): void }> {
  return new Promise((resolve) => {
    const sockets: Socket[] = [];
    const server = createServer((socket) => sockets.push(socket));
    server.listen(0, '127.0.0.1', () =>
      resolve({
        port: (server.address() as AddressInfo).port,
        close: () => {
          sockets.forEach((socket) => socket.destroy());
          server.close();
        },
      }),
    );
  });
}
