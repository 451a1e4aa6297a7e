import { Logger } from '@nestjs/common';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { CircuitBreakers } from './circuit-breaker';
import { DestinationGuard } from './destination-guard';
import { HttpStepExecutor, parseRetryAfter, redactUrl } from './http.step';

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-01-01T12:00:00Z');

  it('reads a number of seconds', () => {
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter(' 5 ', now)).toBe(5_000);
  });

  it('reads an HTTP date as the time left until it', () => {
    expect(parseRetryAfter('Thu, 01 Jan 2026 12:01:30 GMT', now)).toBe(90_000);
  });

  it('takes the first of several header values', () => {
    expect(parseRetryAfter(['30', '60'], now)).toBe(30_000);
  });

  it.each([
    ['absent', undefined],
    ['empty', ''],
    ['garbage', 'soon'],
    ['negative', '-5'],
    ['fractional', '1.5'],
    ['zero', '0'],
    ['a date in the past', 'Thu, 01 Jan 2026 11:59:00 GMT'],
  ])('ignores a value that is %s', (_case, value) => {
    expect(parseRetryAfter(value, now)).toBeUndefined();
  });

  it('caps the wait at one day', () => {
    expect(parseRetryAfter('999999', now)).toBe(86_400_000);
    expect(parseRetryAfter('Fri, 01 Jan 2027 00:00:00 GMT', now)).toBe(86_400_000);
  });
});

describe('redactUrl', () => {
  it('masks credentials and query values, keeping the origin, path and parameter names', () => {
    expect(redactUrl(new URL('https://user:pw@hooks.example.com/T000/B000?api_key=s3cret&a=1&a=2'))).toBe(
      'https://***:***@hooks.example.com/T000/B000?api_key=***&a=***',
    );
  });
});

describe('HttpStepExecutor sign', () => {
  it('fails a step whose signing secret is not base64 at once, as a config error', async () => {
    const executor = new HttpStepExecutor(new DestinationGuard(['127.0.0.0/8']), new CircuitBreakers({ failures: 5, cooldownMs: 1_000 }));
    try {
      const outcome = await executor.execute(
        { url: 'http://127.0.0.1:9/x', sign: { scheme: 'standard-webhooks', secret: 'whsec_not base64!' } },
        { runId: 'run', stepId: 'post', attempt: 1 },
      );
      expect(outcome).toMatchObject({ status: 'failed', retryable: false, cause: 'config', request: null });
      expect(JSON.stringify(outcome)).not.toContain('not base64!');
    } finally {
      await executor.close();
    }
  });
});

describe('HttpStepExecutor circuit breaker', () => {
  let server: Server;
  let status = 503;
  let requests = 0;
  let now = Date.parse('2026-01-01T12:00:00Z');
  let executor: HttpStepExecutor;

  beforeAll(async () => {
    Logger.overrideLogger(false);
    server = createServer((_request, response) => {
      requests += 1;
      response.writeHead(status).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    executor = new HttpStepExecutor(
      new DestinationGuard(['127.0.0.0/8']),
      new CircuitBreakers({ failures: 2, cooldownMs: 5_000 }, () => now),
    );
  });

  afterAll(async () => {
    await executor.close();
    await new Promise((resolve) => server.close(resolve));
  });

  const post = (path: string) =>
    executor.execute(
      { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}` },
      { runId: 'run', stepId: 'post', attempt: 1 },
    );

  it('defers calls to a host that keeps failing without sending them, then probes it after the cool-down', async () => {
    expect(await post('/a')).toMatchObject({ status: 'failed', retryable: true, responseStatus: 503 });
    expect(await post('/b')).toMatchObject({ status: 'failed', retryable: true, responseStatus: 503 });

    const deferred = await post('/c');
    expect(deferred).toEqual({
      status: 'deferred',
      reason: expect.stringMatching(/^circuit open for http:\/\/127\.0\.0\.1:\d+$/) as unknown,
      delayMs: 5_000,
    });
    expect(requests).toBe(2);

    now += 5_000;
    status = 200;
    expect(await post('/d')).toMatchObject({ status: 'succeeded', responseStatus: 200 });
    expect(await post('/e')).toMatchObject({ status: 'succeeded' });
    expect(requests).toBe(4);
  });
});
