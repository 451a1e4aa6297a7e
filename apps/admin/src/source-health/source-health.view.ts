import { ApiProperty } from '@nestjs/swagger';

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
