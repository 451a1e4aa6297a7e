import type { EventEntity } from '@hookflow/persistence';
import type { ExpressionContext } from '@hookflow/rules';

/** The expression context of DESIGN.md for a stored event. */
export function eventContext(event: EventEntity): ExpressionContext {
  return {
    event: { id: event.id, type: event.type, source: event.sourceId, receivedAt: event.receivedAt.toISOString(), headers: event.headers },
    payload: event.payload,
  };
}
