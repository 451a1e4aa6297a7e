import { DeliveryVerdict } from '@hookflow/verification';

/**
 * Bodies larger than this get no hint. Finding one costs a JSON parse and one verification per
 * form below (about a dozen), on a refused delivery only; bounding the body bounds that cost,
 * however many bad deliveries arrive (docs/decisions.md). Real webhook bodies are far smaller.
 */
export const MAX_HINT_BODY_BYTES = 256 * 1024;

/** Which re-serialised form of the received body the signature matches, and what to do about it. */
export interface ReserialisationHint {
  /** The form, in words: "JSON indented by 2 spaces", "the body with a trailing newline". */
  signedForm: string;
  /** What the operator tells the sender (or whoever runs the proxy in between). */
  hint: string;
}

interface BodyForm {
  name: string;
  text: string;
}

/**
 * The classic verification failure: the sender (or a proxy on the way) signed the payload
 * serialised one way and sent it serialised another, e.g. signed `JSON.stringify(payload, null, 2)`
 * and posted the compact JSON. The signature is computed over bytes, so the delivery fails, and the
 * sender sees only "signature mismatch". Re-running the source's own check on the usual
 * re-serialisations of the received body finds which one was signed.
 *
 * `reverify` runs the same verifier, with the same headers, secrets and clock, on other bytes. Returns
 * undefined when the body is empty, over MAX_HINT_BODY_BYTES, or matches no form.
 */
export function reserialisationHint(rawBody: Buffer, reverify: (rawBody: Buffer) => DeliveryVerdict): ReserialisationHint | undefined {
  if (rawBody.length === 0 || rawBody.length > MAX_HINT_BODY_BYTES) return undefined;
  const received = rawBody.toString('utf8');
  for (const form of bodyForms(received)) {
    if (signatureMatches(reverify(Buffer.from(form.text, 'utf8')))) {
      return {
        signedForm: form.name,
        hint:
          `the signature matches the body re-serialised as ${form.name}, not the bytes received: the sender signed a ` +
          'differently serialised payload than it sent, or a proxy re-serialised the body on the way; sign the raw bytes ' +
          'exactly as sent, and pass them through unaltered',
      };
    }
  }
  return undefined;
}

/**
 * Stripe and Slack check the signature before the timestamp: a stale delivery whose signature
 * matched is refused for its timestamp. Any other refusal means the signature did not match.
 */
function signatureMatches(verdict: DeliveryVerdict): boolean {
  return verdict.ok || verdict.reason === 'timestamp_out_of_tolerance';
}

/** The forms worth trying, most common first, without repeats and without the body as received. */
export function bodyForms(received: string): BodyForm[] {
  const forms: BodyForm[] = [...jsonForms(received), ...whitespaceForms(received)];
  const seen = new Set([received]);
  return forms.filter((form) => {
    if (seen.has(form.text)) return false;
    seen.add(form.text);
    return true;
  });
}

/** Trailing newlines are added by editors, `echo`, and some HTTP clients and proxies. */
function whitespaceForms(received: string): BodyForm[] {
  const trimmed = received.replace(/\r?\n+$/, '');
  return [
    { name: 'the body without its trailing newline', text: trimmed },
    { name: 'the body with a trailing newline', text: `${received}\n` },
  ];
}

/** The serialisations JSON libraries produce by default or on request, each also with a trailing newline. */
function jsonForms(received: string): BodyForm[] {
  try {
    const value: unknown = JSON.parse(received);
    const forms: BodyForm[] = [
      { name: 'compact JSON', text: JSON.stringify(value) },
      { name: 'JSON indented by 2 spaces', text: JSON.stringify(value, null, 2) },
      { name: 'JSON indented by 4 spaces', text: JSON.stringify(value, null, 4) },
      { name: 'JSON indented by tabs', text: JSON.stringify(value, null, '\t') },
      { name: "JSON with ', ' and ': ' separators and non-ASCII escaped (Python's json.dumps)", text: asciiOnly(spacedJson(value)) },
      { name: "JSON with ', ' and ': ' separators", text: spacedJson(value) },
      { name: 'compact JSON with non-ASCII escaped as \\uXXXX', text: asciiOnly(JSON.stringify(value)) },
      {
        name: "compact JSON with '/' and non-ASCII escaped (PHP's json_encode)",
        text: asciiOnly(JSON.stringify(value).replace(/\//g, '\\/')),
      },
    ];
    return forms.flatMap((form) => [form, { name: `${form.name} with a trailing newline`, text: `${form.text}\n` }]);
  } catch {
    // Not JSON, or nested too deep to re-serialise: only the whitespace forms apply.
    return [];
  }
}

/** Python's default `json.dumps`: `", "` between items and `": "` after keys, no other whitespace. */
function spacedJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(spacedJson).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value)
      .map(([key, item]) => `${JSON.stringify(key)}: ${spacedJson(item)}`)
      .join(', ')}}`;
  }
  return JSON.stringify(value);
}

/** Every non-ASCII UTF-16 unit as a lower-case `\uXXXX` escape, as Python's `ensure_ascii` and PHP do. */
function asciiOnly(json: string): string {
  return json.replace(/[\u0080-\uffff]/g, (unit) => `\\u${unit.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
