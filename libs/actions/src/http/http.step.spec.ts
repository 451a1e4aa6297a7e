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
    const executor = new HttpStepExecutor(new DestinationGuard(['127.0.0.0/8']));
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
