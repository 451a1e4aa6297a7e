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
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new IngestRejection(400, 'invalid_json', `body is not valid JSON: ${(error as Error).message}`);
  }
}

function parseForm(rawBody: Buffer): Record<string, string | string[]> {
  const fields: Record<string, string | string[]> = {};
  for (const [name, value] of new URLSearchParams(rawBody.toString('utf8'))) {
    const existing = fields[name];
    fields[name] = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  return fields;
}
