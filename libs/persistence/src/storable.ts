/**
 * PostgreSQL's jsonb and text refuse NUL characters (22P05, 22021) and lone UTF-16 surrogates
 * (22P02), all of which valid JSON can carry. Values are stored with those replaced by U+FFFD;
 * an event's raw bytes are kept exactly in its bytea column, so nothing a sender sent is lost.
 */
// An escape only counts when an even number of backslashes stands before it (`\\u0000` is text).
const UNSTORABLE_ESCAPES =
  /(?<=(?:^|[^\\])(?:\\\\)*)(?:\\u0000|\\ud[89ab][0-9a-f]{2}(?!\\ud[c-f][0-9a-f]{2})|(?<!\\ud[89ab][0-9a-f]{2})\\ud[c-f][0-9a-f]{2})/gi;
// eslint-disable-next-line no-control-regex -- NUL is exactly what must be replaced
const UNSTORABLE_CHARACTERS = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** JSON text for a jsonb parameter, or null for undefined. Throws RangeError when nested too deep. */
export function storableJson(value: unknown): string | null {
  if (value === undefined) return null;
  const json = JSON.stringify(value);
  return json === undefined ? null : json.replace(UNSTORABLE_ESCAPES, '\\ufffd');
}

/** A string for a text column. */
export function storableText(value: string): string;
export function storableText(value: string | null): string | null;
export function storableText(value: string | null): string | null {
  return value === null ? null : value.replace(UNSTORABLE_CHARACTERS, '\ufffd');
}
