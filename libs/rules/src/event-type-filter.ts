import { compileEventTypeGlobs } from './event-type-glob';

/** What a source does with a verified delivery of a type it does not allow. */
export type UnknownEventsPolicy = 'ignore' | 'reject';

/** A source's `events` allow-list, compiled once per definition. */
export interface EventTypeFilter {
  allows(eventType: string | null): boolean;
  /** ignore: 202 and an `ignored` event; reject: 422 `event_type_not_allowed`. */
  readonly onUnknown: UnknownEventsPolicy;
  /** The globs, for the sender's and the operator's messages. */
  readonly globs: readonly string[];
}

/**
 * The filter of a source's settings, or undefined when it allows every type (no `events`). An
 * event whose type could not be derived (null) matches no glob, so it is not allowed either.
 */
export function compileEventTypeFilter(settings: Record<string, unknown>): EventTypeFilter | undefined {
  const globs = Array.isArray(settings.events) ? settings.events.map(String) : [];
  if (globs.length === 0) return undefined;
  const matches = compileEventTypeGlobs(globs);
  return {
    allows: (eventType) => matches(eventType),
    onUnknown: settings.unknownEvents === 'reject' ? 'reject' : 'ignore',
    globs,
  };
}
