import { createHash } from 'node:crypto';
import { isEvaluationTimeout } from '@hookflow/rules';
import type { CompiledExpression, ExpressionContext } from '@hookflow/rules';

/** Longest key stored; longer provider ids are hashed so the unique index stays small. */
const MAX_KEY_LENGTH = 200;

/**
 * The idempotency key of a verified delivery: the source's `idempotencyKey` expression when it
 * gives a non-empty string or number, else the SHA-256 of the raw body. Duplicates of a delivery
 * share the key, so the database's unique (source, key) index is the dedupe check.
 */
export async function deliveryIdempotencyKey(
  expression: CompiledExpression | undefined,
  context: ExpressionContext,
  rawBody: Buffer,
): Promise<string> {
  if (expression) {
    // A timeout is the machine being busy, not the delivery lacking a key: the caller must not fall back.
    const value = await expression.evaluate(context).catch((error: unknown) => {
      if (isEvaluationTimeout(error)) throw error;
      return undefined;
    });
    if ((typeof value === 'string' && value.length > 0) || (typeof value === 'number' && Number.isFinite(value))) {
      const key = String(value);
      return key.length <= MAX_KEY_LENGTH ? key : `sha256:${sha256Hex(Buffer.from(key, 'utf8'))}`;
    }
  }
  return `body-sha256:${sha256Hex(rawBody)}`;
}

export function sha256Hex(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}
