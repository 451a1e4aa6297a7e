import type { Query } from '../api/client';

export type DeadLetterCause = NonNullable<Query<'/dead-letters', 'get'>['cause']>;
export interface CauseInfo {
  label: string;
  side: 'theirs' | 'ours' | 'hookflow';
  hint: string;
}

/** Whose fault a dead letter is, in words an operator acts on (DESIGN.md: "dead letters say whose fault"). */
export const CAUSES: Record<DeadLetterCause, CauseInfo> = {
  destination_5xx: { label: 'Destination 5xx', side: 'theirs', hint: 'The destination failed (5xx). Replay once it is back.' },
  network: { label: 'Network', side: 'theirs', hint: 'The destination could not be reached: DNS, connection refused or reset.' },
  timeout: { label: 'Timeout', side: 'theirs', hint: 'The destination did not answer in time.' },
  circuit_open: { label: 'Circuit open', side: 'theirs', hint: 'Calls to this destination were held while it kept failing.' },
  destination_4xx: {
    label: 'Destination 4xx',
    side: 'ours',
    hint: 'The destination refused the request (4xx): check the step’s URL, credentials and body.',
  },
  evaluation: {
    label: 'Evaluation',
    side: 'ours',
    hint: 'A `when` or template of the rule failed on this event: fix the rule, then replay.',
  },
  config: { label: 'Configuration', side: 'ours', hint: 'Bad configuration: a URL, a missing table or connection, a refused address.' },
  system: { label: 'System', side: 'hookflow', hint: 'Hookflow itself failed; see its logs.' },
};

export const CAUSE_NAMES = Object.keys(CAUSES) as DeadLetterCause[];

/** What the console knows of a cause; one it does not know (a newer server) is shown as it is named. */
export function causeInfo(cause: string): CauseInfo {
  return (CAUSES as Record<string, CauseInfo | undefined>)[cause] ?? { label: cause, side: 'hookflow', hint: cause };
}

export const SIDE_LABEL = { theirs: 'their outage', ours: 'our rule or config', hookflow: 'Hookflow' } as const;

export const DEAD_LETTER_STATUSES = ['pending', 'replayed', 'resolved', 'discarded'] as const;
export const EVENT_STATUSES = ['received', 'dispatched', 'unmatched', 'ignored'] as const;

/** What an operator does about each reason ingest refuses a delivery for. */
export const REJECTION_HINTS: Record<string, string> = {
  missing_signature:
    'The delivery carried no signature header: the sender is not signing, or signs in another header than the source expects.',
  malformed_signature: 'The signature header is not in the format of the provider: check the source’s provider and header settings.',
  signature_mismatch:
    'The signature did not match any of the source’s secrets. Check the secret; if it is right, something between the sender and Hookflow changed the body (a proxy re-serialising JSON): signatures cover the raw bytes. A rejection’s diagnostics name the form that was signed when Hookflow can find it.',
  timestamp_out_of_tolerance: 'The signed timestamp is outside the source’s tolerance: a replayed delivery, or a sender clock that is off.',
  unknown_source: 'No enabled source has this id: a typo in the webhook URL, or a paused source.',
  source_not_found: 'No enabled source has this id: a typo in the webhook URL, or a paused source.',
  ip_not_allowed: 'The sender’s address is not in the source’s allowIps (behind a proxy, check HOOKFLOW_TRUSTED_PROXIES).',
  payload_too_large: 'The body is over HOOKFLOW_BODY_LIMIT.',
  body_too_large: 'The body is over HOOKFLOW_BODY_LIMIT.',
  invalid_json: 'The body is not valid JSON (or is nested too deeply).',
  invalid_body: 'The body could not be parsed for its content type.',
  empty_batch: 'A batch delivery (SendGrid) held no events.',
  bad_request: 'The request could not be read as a delivery.',
  unsupported_content_type: 'Hookflow parses JSON and form bodies only.',
  schema_violation: 'The payload failed the source’s JSON Schema.',
  event_type_not_allowed: 'The event type is not in the source’s events list (unknownEvents: reject).',
  rate_limited: 'The source’s rate limit was exceeded; the sender should retry.',
  verification_rate_limited:
    'Too many deliveries from this address failed verification, so its deliveries are refused for a while (HOOKFLOW_VERIFICATION_RATE_LIMIT_*).',
};
