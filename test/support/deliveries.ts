import { sign } from '@octokit/webhooks-methods';

/**
 * Signs like a sender of the generic `hmac` scheme (hex HMAC-SHA256 of the raw body, `sha256=`
 * prefix), using Octokit's signer rather than Hookflow's own code.
 */
export function signHmac(secret: string, body: string): Promise<string> {
  return sign({ secret, algorithm: 'sha256' }, body);
}

export interface Answer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

/** POSTs a delivery to ingest, signed with `secret` unless told otherwise. */
export async function deliver(
  ingestUrl: string,
  sourceId: string,
  body: string,
  options: { secret?: string; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...options.headers };
  if (options.secret !== undefined) headers['x-webhook-signature'] = await signHmac(options.secret, body);
  const response = await fetch(`${ingestUrl}/hooks/${sourceId}`, { method: 'POST', headers, body });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** Polls until `check` returns a value (not undefined/false), or fails after `timeoutMs`. */
export async function waitFor<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 15_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError instanceof Error ? `: ${lastError.message}` : ''}`);
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
