import type { Fact } from "./chatEvents";
import type { RecordedEvent } from "./recorded";

/** Strips a recorded event down to what deciders and projections fold: the event, when and by whom. */
export function toFact(event: RecordedEvent): Fact {
  return {
    type: event.type,
    data: event.data,
    occurredAt: event.metadata.occurred_at,
    actor: event.metadata.actor,
  } as Fact;
}
