import { ApiKeyEntity } from './api-key.entity';
import { DeadLetterEntity } from './dead-letter.entity';
import { EventEntity } from './event.entity';
import { IngestRejectionEntity } from './ingest-rejection.entity';
import { RuleVersionEntity } from './rule-version.entity';
import { RuleEntity } from './rule.entity';
import { RunEntity } from './run.entity';
import { SourceEntity } from './source.entity';
import { StepAttemptEntity } from './step-attempt.entity';

export * from './api-key.entity';
export * from './dead-letter.entity';
export * from './event.entity';
export * from './ingest-rejection.entity';
export * from './rule-version.entity';
export * from './rule.entity';
export * from './run.entity';
export * from './source.entity';
export * from './step-attempt.entity';

export const ENTITIES = [
  SourceEntity,
  RuleEntity,
  RuleVersionEntity,
  EventEntity,
  RunEntity,
  StepAttemptEntity,
  DeadLetterEntity,
  ApiKeyEntity,
  IngestRejectionEntity,
];
