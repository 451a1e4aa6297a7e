import type { components, paths } from './schema';

/**
 * The console's one way to the admin API: typed by schema.d.ts, which is generated from the
 * OpenAPI document (apps/console/scripts/api-types.mjs) and checked against it by a unit test, so
 * the console calls only what the API documents. Same origin, so no CORS; the key travels in the
 * Authorization header, never in a URL.
 */

export type Schemas = components['schemas'];

type Method = 'get' | 'post' | 'put' | 'delete';
type PathsWith<M extends Method> = { [P in keyof paths]: paths[P][M] extends { responses: unknown } ? P : never }[keyof paths];
type Operation<P extends keyof paths, M extends Method> = paths[P][M];
type JsonContent<R> = R extends { content: { 'application/json': infer T } } ? T : unknown;
type Responses<O> = O extends { responses: infer R } ? R : never;
type Success<O> = 200 extends keyof Responses<O>
  ? JsonContent<Responses<O>[200]>
  : 201 extends keyof Responses<O>
    ? JsonContent<Responses<O>[201]>
    : undefined;
type QueryOf<O> = O extends { parameters: { query?: infer Q } } ? ([Q] extends [undefined] ? never : Q) : never;
type PathParamsOf<O> = O extends { parameters: { path: infer Pp } } ? ([Pp] extends [undefined] ? never : Pp) : never;
type JsonBody<R> = R extends { content: { 'application/json': infer B } } ? B : never;
type BodyOf<O> = O extends { requestBody?: infer R }
  ? [Exclude<R, undefined>] extends [never]
    ? never
    : JsonBody<Exclude<R, undefined>>
  : never;

/** What a call needs besides its method and path template: path parameters, query and body, each only when the operation has them. */
export type CallOptions<P extends keyof paths, M extends Method> = ([PathParamsOf<Operation<P, M>>] extends [never]
  ? { path?: never }
  : { path: PathParamsOf<Operation<P, M>> }) &
  ([QueryOf<Operation<P, M>>] extends [never] ? { query?: never } : { query?: QueryOf<Operation<P, M>> }) &
  ([BodyOf<Operation<P, M>>] extends [never] ? { body?: never } : { body: BodyOf<Operation<P, M>> }) & { signal?: AbortSignal };

interface RequestOptions {
  path?: unknown;
  query?: unknown;
  body?: unknown;
  signal?: AbortSignal;
}

export type Answer<P extends keyof paths, M extends Method> = Success<Operation<P, M>>;
/** The query parameters of an operation: `Query<'/dead-letters', 'get'>`. */
export type Query<P extends keyof paths, M extends Method> = NonNullable<QueryOf<Operation<P, M>>>;

/** The admin API's one error body, with the HTTP status. */
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: { path: string; message: string }[] = [],
  ) {
    super(message);
  }
}

/** Called when the API says the key is no longer good (revoked while signed in). */
let onUnauthorized: (problem: ApiProblem) => void = () => undefined;
export function whenUnauthorized(handler: (problem: ApiProblem) => void): void {
  onUnauthorized = handler;
}

export class AdminApi {
  constructor(private readonly apiKey: string) {}

  get<P extends PathsWith<'get'>>(path: P, options: CallOptions<P, 'get'>): Promise<Answer<P, 'get'>> {
    return this.call('GET', path, options) as Promise<Answer<P, 'get'>>;
  }

  post<P extends PathsWith<'post'>>(path: P, options: CallOptions<P, 'post'>): Promise<Answer<P, 'post'>> {
    return this.call('POST', path, options) as Promise<Answer<P, 'post'>>;
  }

  put<P extends PathsWith<'put'>>(path: P, options: CallOptions<P, 'put'>): Promise<Answer<P, 'put'>> {
    return this.call('PUT', path, options) as Promise<Answer<P, 'put'>>;
  }

  /**
   * `POST /dead-letters/replay` without `dryRun`: an NDJSON stream, one line per dead letter. Each
   * line is handed to `onLine` as it arrives; closing `signal` stops the replay after the dead
   * letter in hand.
   */
  async bulkReplay(filter: Schemas['BulkReplayFilterDto'], onLine: (line: BulkReplayLine) => void, signal?: AbortSignal): Promise<void> {
    const response = await this.fetch('POST', '/dead-letters/replay', { body: { filter }, signal });
    if (!response.body) throw new ApiProblem(response.status, 'empty_answer', 'the bulk replay answered without a body');
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffered = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffered += value;
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) if (line.trim()) onLine(JSON.parse(line) as BulkReplayLine);
    }
    if (buffered.trim()) onLine(JSON.parse(buffered) as BulkReplayLine);
  }

  private async call(method: string, template: string, options: RequestOptions): Promise<unknown> {
    const response = await this.fetch(method, template, options);
    if (response.status === 204) return undefined;
    const text = await response.text();
    return text ? (JSON.parse(text) as unknown) : undefined;
  }

  private async fetch(method: string, template: string, options: RequestOptions): Promise<Response> {
    const url = urlOf(template, options.path, options.query);
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: {
          authorization: `Bearer ${this.apiKey}`,
          accept: 'application/json, application/x-ndjson',
          ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: options.signal,
        cache: 'no-store',
      });
    } catch (error) {
      if ((error as Error).name === 'AbortError') throw error;
      throw new ApiProblem(0, 'unreachable', 'The admin API did not answer. Check that Hookflow is running and reachable, then retry.');
    }
    if (response.ok) return response;
    const problem = await problemOf(response);
    if (problem.status === 401) onUnauthorized(problem);
    throw problem;
  }
}

export type BulkReplayLine =
  | { replayed: number; total: number; deadLetterId: string; runId: string }
  | { failed: number; total: number; deadLetterId: string; error: string; message: string }
  | { done: true; replayed: number; failed: number; error?: string; message?: string };

/** `/runs/{id}` with `{ id }` → `/runs/0190…`, plus the query string of every defined value. */
export function urlOf(template: string, path: unknown, query: unknown): string {
  const filled = template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = (path as Record<string, string | number | undefined> | undefined)?.[name];
    if (value === undefined) throw new Error(`missing path parameter ${name} of ${template}`);
    return encodeURIComponent(String(value));
  });
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries((query ?? {}) as Record<string, string | number | boolean | undefined | null>)) {
    if (value !== undefined && value !== null && value !== '') search.set(name, String(value));
  }
  const text = search.toString();
  return text ? `${filled}?${text}` : filled;
}

async function problemOf(response: Response): Promise<ApiProblem> {
  const text = await response.text().catch(() => '');
  try {
    const body = JSON.parse(text) as { error?: string; message?: string; details?: { path: string; message: string }[] };
    if (typeof body.error === 'string' && typeof body.message === 'string') {
      return new ApiProblem(response.status, body.error, body.message, body.details ?? []);
    }
  } catch {
    // not the API's error body (a proxy's page, say): described below
  }
  return new ApiProblem(response.status, 'http_error', `The admin API answered ${response.status} ${response.statusText}.`.trim());
}
