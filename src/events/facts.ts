import type { RecordedEvent } from "../eventstore/eventStore";
import type { Fact } from "./chatEvents";

/** Strips a recorded event down to what deciders and projections fold: the event, when and by whom. */
export function toFact(event: RecordedEvent): Fact {
  return {
    type: event.type,
    data: event.data,
    occurredAt: event.metadata.occurred_at,
    actor: event.metadata.actor,
  } as Fact;
}
