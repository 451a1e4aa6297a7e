/**
 * Providers that post `application/x-www-form-urlencoded` bodies with the event as JSON in a
 * `payload` field (Slack interactivity, GitHub's form content type) are unwrapped to that JSON.
 * Anything else is returned as it is.
 */
export function unwrapFormPayload(payload: unknown): unknown {
  if (!isPlainObject(payload) || typeof payload.payload !== 'string') return payload;
  try {
    const parsed: unknown = JSON.parse(payload.payload);
    return isPlainObject(parsed) ? parsed : payload;
  } catch {
    return payload;
  }
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
