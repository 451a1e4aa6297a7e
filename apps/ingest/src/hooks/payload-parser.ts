import { IngestRejection } from './ingest-rejection';

/**
 * Parses a verified body by its content type: JSON (`application/json`, `*+json`, or no type at
 * all) or a form (`application/x-www-form-urlencoded`, repeated fields become arrays). An empty
 * body is `null`. Anything else is refused: we would store bytes no rule can read.
 */
export function parsePayload(rawBody: Buffer, contentType: string | undefined): unknown {
  const mediaType = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (rawBody.length === 0) return null;
  if (mediaType === '' || mediaType === 'application/json' || mediaType.endsWith('+json') || mediaType === 'text/json') {
    return parseJson(rawBody);
  }
  if (mediaType === 'application/x-www-form-urlencoded') return parseForm(rawBody);
  throw new IngestRejection(
    415,
    'unsupported_content_type',
    `content type ${mediaType} is not supported; send application/json or application/x-www-form-urlencoded`,
  );
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function parseJson(rawBody: Buffer): unknown {
  let text: string;
  try {
    text = strictUtf8.decode(rawBody);
  } catch {
    throw new IngestRejection(400, 'invalid_json', 'body is not valid UTF-8');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text) as unknown;
  } catch (error) {
    throw new IngestRejection(400, 'invalid_json', `body is not valid JSON: ${(error as Error).message}`);
  }
  if (nestingDepth(parsed) > MAX_NESTING_DEPTH) {
    throw new IngestRejection(400, 'invalid_json', `body is nested deeper than ${MAX_NESTING_DEPTH} levels`);
  }
  return parsed;
}

/** Deeper documents cannot be stored or evaluated safely (jsonb, JSONata's depth limit). */
export const MAX_NESTING_DEPTH = 200;

/** Depth of arrays and objects, walked iteratively so a hostile document cannot overflow the stack. */
function nestingDepth(value: unknown): number {
  let deepest = 0;
  const pending: [unknown, number][] = [[value, 0]];
  while (pending.length > 0) {
    const [current, depth] = pending.pop() as [unknown, number];
    if (current === null || typeof current !== 'object') continue;
    deepest = Math.max(deepest, depth + 1);
    if (deepest > MAX_NESTING_DEPTH) return deepest;
    for (const child of Object.values(current)) pending.push([child, depth + 1]);
  }
  return deepest;
}

function parseForm(rawBody: Buffer): Record<string, string | string[]> {
  const fields: Record<string, string | string[]> = {};
  for (const [name, value] of new URLSearchParams(rawBody.toString('utf8'))) {
    const existing = fields[name];
    fields[name] = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  return fields;
}
