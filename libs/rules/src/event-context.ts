import { ExpressionContext } from './expression';

/** What expressions see of an event: a stored one, or a sample in a dry run. */
export interface ContextEvent {
  id?: string;
  type: string | null;
  sourceId: string;
  receivedAt: Date;
  /** Names lower-cased. */
  headers: Record<string, string>;
  payload: unknown;
}

/** The expression context of DESIGN.md for an event, before any step ran. */
export function eventContext(event: ContextEvent): ExpressionContext {
  return {
    event: { id: event.id, type: event.type, source: event.sourceId, receivedAt: event.receivedAt.toISOString(), headers: event.headers },
    payload: event.payload,
  };
}
