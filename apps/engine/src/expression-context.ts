import type { EventEntity } from '@hookflow/persistence';
import { eventContext as contextOf, type ExpressionContext } from '@hookflow/rules';

/** The expression context of DESIGN.md for a stored event (shared with the admin API's dry run). */
export function eventContext(event: EventEntity): ExpressionContext {
  return contextOf(event);
}
