import { Agent, Dispatcher, errors as undiciErrors, request } from 'undici';
import { StepExecutor, StepInvocation, StepOutcome, StepResult, stepFailure, describeError } from '../step-executor';
import { CircuitBreakers, DestinationHealth } from './circuit-breaker';
import { DestinationGuard, DestinationRefusedError } from './destination-guard';
import { SignOptions, signingKey, standardWebhooksHeaders } from './standard-webhooks.signer';

export const DEFAULT_HTTP_TIMEOUT_MS = 10_000;
/** The part of a response body kept as the step's output. */
export const MAX_RESPONSE_BODY_BYTES = 64 * 1024;
const USER_AGENT = 'Hookflow/0.1 (+webhook automation)';

interface HttpStepInput {
  method: Dispatcher.HttpMethod;
  url: string;
  headers: Record<string, string>;
  body: unknown;
  sign?: SignOptions;
}

class InvalidStepInput extends Error {}

/**
 * The `http` step: one request per try, to a destination the guard allows and whose circuit is not
 * open (an open circuit defers the step without a request).
 */
export class HttpStepExecutor implements StepExecutor {
  readonly type = 'http';
  private readonly dispatcher: Dispatcher;

  constructor(
    private readonly guard: DestinationGuard,
    private readonly circuits: CircuitBreakers,
  ) {
    this.dispatcher = new Agent({ connect: { lookup: guard.lookup }, keepAliveTimeout: 10_000, connections: 64 });
  }

  async execute(rawInput: unknown, invocation: StepInvocation): Promise<StepOutcome> {
    let input: HttpStepInput;
    let url: URL;
    try {
      input = parseInput(rawInput);
      url = new URL(input.url);
      if (url.protocol !== 'http:' && url.protocol !== 'https:')
        throw new InvalidStepInput(`url must be http or https (got ${url.protocol})`);
      this.guard.assertLiteralHostAllowed(url);
      if (input.sign) signingKey(input.sign.secret);
    } catch (error) {
      return stepFailure(
        error instanceof TypeError ? `url is not a valid URL: ${String(rawInputUrl(rawInput))}` : describeError(error),
        false,
        'config',
        null,
      );
    }
    const admission = this.circuits.admit(url);
    if (!admission.admitted) return { status: 'deferred', reason: admission.reason, delayMs: admission.retryInMs };
    let result: StepResult | undefined;
    try {
      result = await this.send(url, input, invocation);
      return result;
    } finally {
      this.circuits.settle(admission.ticket, result ? destinationHealth(result) : 'unknown');
    }
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
  }

  private async send(url: URL, input: HttpStepInput, invocation: StepInvocation): Promise<StepResult> {
    const { body, contentType } = encodeBody(input.body);
    const deliveryId = `${invocation.runId}:${invocation.stepId}`;
    const headers: Record<string, string> = {
      'user-agent': USER_AGENT,
      ...(contentType ? { 'content-type': contentType } : {}),
      ...lowerCaseKeys(input.headers),
      // Receivers dedupe on this: every try of a step carries the same key.
      'idempotency-key': deliveryId,
      // Signed over exactly the bytes sent; the summary below keeps header names only.
      ...(input.sign ? standardWebhooksHeaders(input.sign.secret, deliveryId, body ?? '', new Date()) : {}),
    };
    const summary = {
      method: input.method,
      url: redactUrl(url),
      headerNames: Object.keys(headers).sort(),
      bodyBytes: body ? Buffer.byteLength(body) : 0,
    };
    const timeoutMs = invocation.timeoutMs ?? DEFAULT_HTTP_TIMEOUT_MS;
    try {
      const response = await request(url, {
        method: input.method,
        headers,
        body,
        dispatcher: this.dispatcher,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
        signal: AbortSignal.timeout(timeoutMs),
      });
      const responseBody = await readCapped(response.body);
      const output = {
        status: response.statusCode,
        headers: flattenHeaders(response.headers),
        body: parseBody(responseBody, response.headers['content-type']),
      };
      if (response.statusCode >= 200 && response.statusCode < 300) {
        return { status: 'succeeded', output, request: summary, responseStatus: response.statusCode };
      }
      const retryable = response.statusCode === 408 || response.statusCode === 429 || response.statusCode >= 500;
      return {
        ...stepFailure(
          `destination answered ${response.statusCode}`,
          retryable,
          response.statusCode >= 500 ? 'destination_5xx' : 'destination_4xx',
          summary,
        ),
        output,
        responseStatus: response.statusCode,
        retryAfterMs: parseRetryAfter(response.headers['retry-after']),
      };
    } catch (error) {
      if (error instanceof DestinationRefusedError || (error as { cause?: unknown }).cause instanceof DestinationRefusedError) {
        return stepFailure(
          describeError(error instanceof DestinationRefusedError ? error : (error as { cause: Error }).cause),
          false,
          'config',
          summary,
        );
      }
      const timedOut = isTimeout(error);
      return stepFailure(
        timedOut ? `no answer within ${timeoutMs} ms` : `network error: ${describeError(error)}`,
        true,
        timedOut ? 'timeout' : 'network',
        summary,
      );
    }
  }
}

/** What a try tells the circuit breaker: only the failures the step would retry count against a destination. */
function destinationHealth(result: StepResult): DestinationHealth {
  if (result.status === 'succeeded') return 'up';
  if (result.retryable) return 'down';
  return result.cause === 'config' ? 'unknown' : 'up';
}

function parseInput(raw: unknown): HttpStepInput {
  const input = (raw ?? {}) as Record<string, unknown>;
  if (typeof input.url !== 'string' || input.url === '') throw new InvalidStepInput('url rendered empty or not a string');
  const headers = input.headers ?? {};
  if (typeof headers !== 'object' || headers === null || Array.isArray(headers)) throw new InvalidStepInput('headers must be an object');
  const method = typeof input.method === 'string' ? input.method.toUpperCase() : 'POST';
  return {
    method,
    url: input.url,
    headers: Object.fromEntries(
      Object.entries(headers).map(([name, value]) => [name, typeof value === 'string' ? value : JSON.stringify(value)]),
    ),
    body: input.body,
    sign: parseSign(input.sign),
  };
}

function parseSign(raw: unknown): SignOptions | undefined {
  if (raw === undefined || raw === null) return undefined;
  const sign = raw as Record<string, unknown>;
  if (typeof sign !== 'object' || Array.isArray(sign)) throw new InvalidStepInput('sign must be an object');
  if (sign.scheme !== 'standard-webhooks') throw new InvalidStepInput(`sign.scheme must be standard-webhooks (got ${String(sign.scheme)})`);
  if (typeof sign.secret !== 'string' || sign.secret === '') throw new InvalidStepInput('sign.secret rendered empty or not a string');
  return { scheme: sign.scheme, secret: sign.secret };
}

function rawInputUrl(raw: unknown): unknown {
  return (raw as { url?: unknown } | null)?.url;
}

function encodeBody(body: unknown): { body: string | undefined; contentType?: string } {
  if (body === undefined || body === null) return { body: undefined };
  if (typeof body === 'string') return { body, contentType: 'text/plain; charset=utf-8' };
  return { body: JSON.stringify(body), contentType: 'application/json' };
}

async function readCapped(stream: AsyncIterable<Buffer> & { destroy(): void }): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    chunks.push(chunk);
    size += chunk.length;
    if (size >= MAX_RESPONSE_BODY_BYTES) {
      stream.destroy();
      break;
    }
  }
  return Buffer.concat(chunks).subarray(0, MAX_RESPONSE_BODY_BYTES);
}

function parseBody(body: Buffer, contentType: string | string[] | undefined): unknown {
  const text = body.toString('utf8');
  if (typeof contentType === 'string' && /[/+]json\b/i.test(contentType)) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).flatMap(([name, value]) =>
      value === undefined ? [] : [[name, Array.isArray(value) ? value.join(', ') : value]],
    ),
  );
}

function lowerCaseKeys(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
}

/** Retry-After as seconds or an HTTP date; capped at a day. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (!text) return undefined;
  const ms = /^\d+$/.test(text.trim()) ? Number(text.trim()) * 1000 : Date.parse(text) - now;
  return Number.isFinite(ms) && ms > 0 ? Math.min(ms, 86_400_000) : undefined;
}

function isTimeout(error: unknown): boolean {
  return (
    error instanceof undiciErrors.HeadersTimeoutError ||
    error instanceof undiciErrors.BodyTimeoutError ||
    error instanceof undiciErrors.ConnectTimeoutError ||
    (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError'))
  );
}

/** The URL as stored in an attempt's summary: credentials and query values (often tokens) masked. */
export function redactUrl(url: URL): string {
  const copy = new URL(url);
  if (copy.password) copy.password = '***';
  if (copy.username) copy.username = '***';
  for (const name of new Set(copy.searchParams.keys())) copy.searchParams.set(name, '***');
  return copy.toString();
}
