/** Small builders of rule files for tests. */

export const SECRET = 'test-secret-0123456789';
export const ROTATED_SECRET = 'test-secret-rotated-9876543210';

export function hmacSource(id = 'shop', extra = ''): string {
  return `  - id: ${id}
    provider: hmac
    secrets: ["${SECRET}", "${ROTATED_SECRET}"]
    eventType: payload.type
    idempotencyKey: payload.id
${extra}`;
}

export interface HttpStepSpec {
  id: string;
  url: string;
  body?: string;
}

/** A rule for `source` whose steps POST to the given URLs. */
export function httpRule(
  id: string,
  source: string,
  steps: HttpStepSpec[],
  options: { events?: string; when?: string; retry?: string } = {},
): string {
  const stepYaml = steps
    .map(
      (step) => `      - id: ${step.id}
        type: http
        method: POST
        url: "${step.url}"
        headers: { X-Test: "{{ event.type }}" }
        body: ${step.body ?? `{ order: "{{ payload.id }}", total: "{{ payload.total }}", label: "Order {{ payload.id }} of {{ payload.total }}" }`}`,
    )
    .join('\n');
  return `  - id: ${id}
    source: ${source}
    events: [${options.events ?? '"order.*"'}]
${options.when ? `    when: ${JSON.stringify(options.when)}\n` : ''}    retry: ${options.retry ?? '{ attempts: 3, backoff: exponential, delay: 50ms, maxDelay: 200ms }'}
    steps:
${stepYaml}`;
}

export function rulesFile(sources: string[], rules: string[]): string {
  return `sources:\n${sources.join('\n')}\n${rules.length > 0 ? `rules:\n${rules.join('\n')}\n` : ''}`;
}

/** The `id` of an event made by {@link orderEvent}. */
export function orderIdOf(body: string): string {
  return (JSON.parse(body) as { id: string }).id;
}

let counter = 0;
/** A JSON order event with a unique id. */
export function orderEvent(overrides: Record<string, unknown> = {}): string {
  counter += 1;
  return JSON.stringify({
    id: `ord_${Date.now().toString(36)}_${counter}`,
    type: 'order.created',
    total: 250,
    customer: 'Zoë «quoted» \u2603',
    ...overrides,
  });
}
