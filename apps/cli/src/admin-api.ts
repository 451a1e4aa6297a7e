import { Command, Option } from 'commander';
import { CliError } from './output';

export const DEFAULT_ADMIN_URL = 'http://127.0.0.1:3001';

/** The options every command that talks to the admin API takes. */
export interface AdminOptions {
  url: string;
  apiKey?: string;
}

/** An answer of the admin API that is not a success, with the error body's fields. */
export class AdminApiError extends CliError {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: { path: string; message: string }[] = [],
  ) {
    super(details.length === 0 ? message : `${message}\n${details.map((detail) => `  ${detail.path}: ${detail.message}`).join('\n')}`);
  }
}

/** Adds `--url` and `--api-key` (or HOOKFLOW_ADMIN_URL and HOOKFLOW_API_KEY) to a command. */
export function withAdminOptions(command: Command): Command {
  return command
    .addOption(new Option('--url <url>', 'admin API URL').env('HOOKFLOW_ADMIN_URL').default(DEFAULT_ADMIN_URL))
    .addOption(new Option('--api-key <key>', 'admin API key (create one with `hookflow apikey create`)').env('HOOKFLOW_API_KEY'));
}

type Query = Record<string, string | number | boolean | undefined>;

/** A small client of the admin API for the CLI: JSON in and out, every failure a one-line {@link CliError}. */
export class AdminApi {
  private readonly baseUrl: string;

  constructor(private readonly options: AdminOptions) {
    this.baseUrl = options.url.replace(/\/+$/, '');
  }

  get<T>(path: string, query: Query = {}): Promise<T> {
    return this.json<T>('GET', withQuery(path, query));
  }

  post<T>(path: string, body?: unknown): Promise<T> {
    return this.json<T>('POST', path, body);
  }

  put<T>(path: string, body: unknown): Promise<T> {
    return this.json<T>('PUT', path, body);
  }

  /** Every item of a listing, following `nextCursor` page after page (pages of at most 500, the API's largest). */
  async *list<T>(path: string, query: Query = {}, pageSize = 500): AsyncGenerator<T> {
    let after: string | undefined;
    do {
      const page = await this.get<{ items: T[]; nextCursor: string | null }>(path, { ...query, limit: Math.min(pageSize, 500), after });
      yield* page.items;
      after = page.nextCursor ?? undefined;
    } while (after !== undefined);
  }

  /** POSTs and hands each line of an NDJSON answer, parsed, to `onLine` as it arrives. */
  async postStreaming(path: string, body: unknown, onLine: (line: unknown) => void): Promise<void> {
    const response = await this.send('POST', path, body);
    if (!response.ok) throw await errorOf(response);
    if (!response.body) return;
    const decoder = new TextDecoder();
    let buffered = '';
    for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
      buffered += decoder.decode(chunk, { stream: true });
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline).trim();
        buffered = buffered.slice(newline + 1);
        if (line !== '') onLine(JSON.parse(line));
      }
    }
    if (buffered.trim() !== '') onLine(JSON.parse(buffered));
  }

  private async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await this.send(method, path, body);
    if (!response.ok) throw await errorOf(response);
    const text = await response.text();
    return (text === '' ? undefined : JSON.parse(text)) as T;
  }

  private async send(method: string, path: string, body?: unknown): Promise<Response> {
    if (!this.options.apiKey) {
      throw new CliError('no API key: pass --api-key or set HOOKFLOW_API_KEY (create one with `hookflow apikey create`)');
    }
    try {
      return await fetch(`${this.baseUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${this.options.apiKey}`,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new CliError(
        `cannot reach the admin API at ${this.baseUrl} (${cause?.code ?? cause?.message ?? (error as Error).message}); set --url or HOOKFLOW_ADMIN_URL`,
      );
    }
  }
}

async function errorOf(response: Response): Promise<AdminApiError> {
  const text = await response.text();
  try {
    const body = JSON.parse(text) as { error?: unknown; message?: unknown; details?: unknown };
    if (typeof body.error === 'string' && typeof body.message === 'string') {
      const details = Array.isArray(body.details) ? (body.details as { path: string; message: string }[]) : [];
      return new AdminApiError(response.status, body.error, body.message, details);
    }
  } catch {
    // not the API's error body: described below
  }
  return new AdminApiError(response.status, 'http_error', `the admin API answered ${response.status} ${response.statusText}`);
}

function withQuery(path: string, query: Query): string {
  const parameters = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value !== undefined) parameters.set(name, String(value));
  const search = parameters.toString();
  return search === '' ? path : `${path}?${search}`;
}
