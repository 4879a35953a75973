import { type EventType, eventTypes } from "../events/chatEvents";
import type { RecordedEvent } from "../eventstore/eventStore";
import { eventVisibleTo } from "../workspace/visibility";

/**
 * Event types a webhook may subscribe to. The identity reservations (`OssIdentity*`) are bookkeeping of the
 * write side, and their stream is named by the OSS user id, so they are not offered.
 */
export const webhookEventTypes: readonly EventType[] = eventTypes.filter(
  (t) => !t.startsWith("OssIdentity") && eventVisibleTo("visitor", t),
);

/**
 * Data fields that carry no personal data: ids the service made and fixed vocabularies. Everything else (topic,
 * contact details, emails, OSS user ids, browser UUIDs, IPs, user agents, message text) stays out of webhook
 * payloads; a receiver that needs it reads it through the API with its own credentials. Agent-only events
 * (notes, labels, canned responses: src/workspace/visibility.ts) are not offered at all. An event type added later
 * sends only these fields until someone decides otherwise.
 */
const NON_PERSONAL_FIELDS = new Set([
  "session_id",
  "chat_user_id",
  "into_chat_user_id",
  "contact_id",
  "message_id",
  "priority",
  "channel",
  "status",
  "is_anonymous",
  "seq",
  "rating",
]);

function nonPersonal(data: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const kept: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(data)) {
    const primitive = value === null || ["string", "number", "boolean"].includes(typeof value);
    if (NON_PERSONAL_FIELDS.has(key) && primitive) kept[key] = value;
  }
  return kept;
}

/** The Standard Webhooks payload of an event: `type`, `timestamp`, and `data` with non-personal fields only. */
export function webhookBody(event: RecordedEvent): string {
  return JSON.stringify({
    type: event.type,
    timestamp: event.metadata.occurred_at,
    data: {
      event_id: event.id,
      position: Number(event.position),
      actor_kind: event.metadata.actor.kind,
      ...nonPersonal(event.data as Record<string, unknown>),
    },
  });
}

/** Deliveries of one stream go out in order: a session's events never overtake each other. */
export const orderingKey = (event: RecordedEvent): string => event.streamId;
