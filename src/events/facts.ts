import type { RecordedEvent } from "../eventstore/eventStore";
import type { Fact } from "./chatEvents";

/** Strips a recorded event down to what deciders and projections fold: the event and when it happened. */
export function toFact(event: RecordedEvent): Fact {
  return { type: event.type, data: event.data, occurredAt: event.metadata.occurred_at } as Fact;
}
