import type { EventEntity } from '@hookflow/persistence';
import { HookflowAttributes } from '@hookflow/telemetry';
import type { Attributes } from '@opentelemetry/api';

/** The span attributes that say which event a dispatch or a run is about. */
export function eventSpanAttributes(event: Pick<EventEntity, 'id' | 'sourceId' | 'type'>): Attributes {
  return {
    [HookflowAttributes.EVENT_ID]: event.id,
    [HookflowAttributes.SOURCE]: event.sourceId,
    ...(event.type === null ? {} : { [HookflowAttributes.EVENT_TYPE]: event.type }),
  };
}
