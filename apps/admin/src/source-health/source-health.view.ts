import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';

/** Deliveries ingest refused in a window, from its capped rejection log. */
export class RejectedDeliveriesView {
  @ApiProperty({ example: 3 })
  total!: number;

  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'integer' },
    example: { signature_mismatch: 2, unknown_source: 1 },
    description: 'Count per reason code (the `error` of the answers ingest gave); reasons with no rejection are absent.',
  })
  byReason!: Record<string, number>;

  @ApiProperty({
    description:
      "True when the source's rejection log is full (HOOKFLOW_REJECTION_LOG_SIZE) and began after the window did: older rejections were pruned, so the counts are lower bounds.",
  })
  truncated!: boolean;
}

/** A source's activity over one window that ends now. */
export class SourceWindowView {
  @ApiProperty({ description: 'When the window starts.', format: 'date-time' })
  since!: string;

  @ApiProperty({ description: 'Events received (accepted deliveries; a duplicate is not a new event).' })
  events!: number;

  @ApiProperty({ description: "Runs of the source's events started in the window (replays included) that have succeeded." })
  runsSucceeded!: number;

  @ApiProperty({ description: 'Runs started in the window that have failed (each has a dead letter).' })
  runsFailed!: number;

  @ApiProperty({ description: 'Runs started in the window that are still pending, running or retrying.' })
  runsInProgress!: number;

  @ApiProperty({
    type: 'number',
    nullable: true,
    example: 0.25,
    description: 'runsFailed / (runsSucceeded + runsFailed), rounded to 4 decimals; null when no run has finished.',
  })
  failureRate!: number | null;

  @ApiProperty({ type: RejectedDeliveriesView })
  rejected!: RejectedDeliveriesView;
}

/** GET /sources/:id/health. */
export class SourceHealthView {
  @ApiProperty({ example: 'stripe' })
  source!: string;

  @ApiProperty({ example: 'stripe' })
  provider!: string;

  @ApiProperty()
  enabled!: boolean;

  @ApiProperty({ description: 'When this report was made; the windows end then.', format: 'date-time' })
  checkedAt!: string;

  @ApiProperty({ type: String, nullable: true, format: 'date-time', description: 'When the latest event was received.' })
  lastReceivedAt!: string | null;

  @ApiProperty({
    oneOf: [{ type: 'string' }, { type: 'integer' }],
    nullable: true,
    example: '15m',
    description: "The source's `expectEvery` setting as written, or null when it sets none.",
  })
  expectEvery!: string | number | null;

  @ApiProperty({
    description:
      'True when the source sets expectEvery and its latest event (with none, its creation) is older than that: it has gone quiet.',
  })
  silent!: boolean;

  @ApiProperty({ type: SourceWindowView })
  lastHour!: SourceWindowView;

  @ApiProperty({ type: SourceWindowView })
  lastDay!: SourceWindowView;
}

/** One reason a payload fails its source's schema. */
export class SchemaViolationView {
  @ApiProperty({ example: '/data/object/amount', description: 'A JSON Pointer into the payload ("/" for the payload itself)' })
  path!: string;

  @ApiProperty({ example: 'must be integer' })
  message!: string;

  @ApiPropertyOptional({ example: 3, description: 'In a batch delivery (SendGrid), the element' })
  index?: number;
}

/** The signature matched a re-serialised form of the body, not the bytes received. */
export class ReserialisationHintView {
  @ApiProperty({ example: 'JSON indented by 2 spaces', description: 'The form of the body the signature matches' })
  signedForm!: string;

  @ApiProperty({ description: 'What to tell the sender, or whoever runs a proxy in between' })
  hint!: string;
}

/**
 * Why a delivery that reached its source was refused (DESIGN.md, "Rejections explain themselves").
 * Never the body, a secret or any part of a signature.
 */
export class RejectionDiagnosticsView {
  @ApiProperty({ example: 'stripe', description: "The source's provider: the verifier that checked the delivery" })
  provider!: string;

  @ApiPropertyOptional({ example: 'stripe-signature', description: 'The header the signature or credential was read from, or expected in' })
  signatureHeader?: string;

  @ApiPropertyOptional({
    example: 'x-slack-request-timestamp',
    description: 'The header the signed timestamp was read from, when separate',
  })
  timestampHeader?: string;

  @ApiProperty({ example: 1187, description: "The body's length in bytes, as received" })
  bodyBytes!: number;

  @ApiProperty({
    type: String,
    nullable: true,
    example: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
    description: "The body's SHA-256 (hex), as received; null when the body carries the source's secret (Meraki)",
  })
  bodySha256!: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'application/json' })
  contentType!: string | null;

  @ApiPropertyOptional({
    example: 912,
    description: 'Time received minus the signed timestamp, in seconds: positive when the timestamp is in the past',
  })
  timestampSkewSeconds?: number;

  @ApiPropertyOptional({ example: 300, description: 'The tolerance the skew is checked against, in seconds' })
  toleranceSeconds?: number;

  @ApiPropertyOptional({
    type: ReserialisationHintView,
    description: 'Present when the signature matches a re-serialised form of the body',
  })
  reserialisation?: ReserialisationHintView;

  @ApiPropertyOptional({
    type: () => [SchemaViolationView],
    description: "schema_violation: where the payload fails the source's schema (at most 20)",
  })
  violations?: SchemaViolationView[];
}

/** A rejected delivery as the API shows it: never a body, a header or a credential (none is kept). */
export class RejectionView {
  @ApiProperty({ example: '1042' }) id!: string;
  @ApiProperty({ example: 'signature_mismatch', description: 'The reason code of the answer ingest gave' }) reason!: string;
  @ApiProperty({ example: 401 }) status!: number;
  @ApiProperty({ description: 'The message the sender got' }) message!: string;
  @ApiProperty({ type: String, nullable: true }) clientIp!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({
    type: RejectionDiagnosticsView,
    nullable: true,
    description:
      'Null for refusals before a source was found (unknown source, body too large) and for rows logged before diagnostics were kept',
  })
  diagnostics!: RejectionDiagnosticsView | null;
}

export class RejectionPageView {
  @ApiProperty({ type: [RejectionView] }) items!: RejectionView[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

/** The timelines `GET /sources/:id/activity` draws: a window, cut into intervals of a fixed size. */
export const ACTIVITY_WINDOWS = {
  '1h': { windowMs: 3_600_000, bucketMs: 5 * 60_000, bucket: '5m' },
  '24h': { windowMs: 24 * 3_600_000, bucketMs: 3_600_000, bucket: '1h' },
  '7d': { windowMs: 7 * 24 * 3_600_000, bucketMs: 6 * 3_600_000, bucket: '6h' },
} as const;
export type ActivityWindow = keyof typeof ACTIVITY_WINDOWS;

export class SourceActivityQueryDto {
  @ApiPropertyOptional({
    enum: Object.keys(ACTIVITY_WINDOWS),
    default: '24h',
    description: '1h in 5-minute intervals, 24h in hours, 7d in 6 hours',
  })
  @IsOptional()
  @IsIn(Object.keys(ACTIVITY_WINDOWS), { message: `window must be one of ${Object.keys(ACTIVITY_WINDOWS).join(', ')}` })
  window?: ActivityWindow;
}

/** One interval of a source's timeline. */
export class SourceActivityBucketView {
  @ApiProperty({ format: 'date-time', description: 'Where the interval starts' }) start!: string;
  @ApiProperty({ description: 'Events received' }) events!: number;
  @ApiProperty({ description: "Runs of the source's events started in the interval that have succeeded" }) runsSucceeded!: number;
  @ApiProperty({ description: 'Runs started in the interval that have failed' }) runsFailed!: number;
  @ApiProperty({ description: 'Deliveries ingest refused (from the capped rejection log)' }) rejected!: number;
}

/** GET /sources/:id/activity. */
export class SourceActivityView {
  @ApiProperty({ example: 'stripe' }) source!: string;
  @ApiProperty({ enum: Object.keys(ACTIVITY_WINDOWS) }) window!: string;
  @ApiProperty({ example: '1h', description: 'The length of each interval' }) bucket!: string;
  @ApiProperty({ format: 'date-time', description: 'Start of the first interval' }) since!: string;
  @ApiProperty({ format: 'date-time', description: 'End of the last interval (the next interval boundary after now)' }) until!: string;
  @ApiProperty({ type: [SourceActivityBucketView], description: 'Oldest first, every interval present (zeros included)' })
  buckets!: SourceActivityBucketView[];
}
