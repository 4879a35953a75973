import type { z } from "zod";
import { agentEventSchemas, agentEventVersions } from "../domain/agent/events";
import { cannedResponseEventSchemas, cannedResponseEventVersions } from "../domain/cannedResponses/events";
import { chatSessionEventSchemas, chatSessionEventVersions } from "../domain/chatSession/events";
import {
  type ChatUserSnapshot,
  chatUserEventSchemas,
  chatUserEventVersions,
  chatUserSnapshotSchema,
  erasureReason,
  ossIdentityEventSchemas,
} from "../domain/chatUser/events";
import type { EventsOf, FactOf } from "../domain/eventTypes";
import { privacyEventSchemas, privacyEventVersions } from "../domain/privacy/events";

/**
 * Every event type of the domain with the zod schema of its current data shape and its version: the union of
 * the aggregates' own events (src/domain/<aggregate>/events.ts). A new event is added in its aggregate.
 */

export { type ChatUserSnapshot, chatUserSnapshotSchema, erasureReason };

const { ChatUserErased, ...chatUserOwnEvents } = chatUserEventSchemas;

export const eventSchemas = {
  ...chatUserOwnEvents,
  ...ossIdentityEventSchemas,
  ...chatSessionEventSchemas,
  ...agentEventSchemas,
  ...cannedResponseEventSchemas,
  ChatUserErased,
  ...privacyEventSchemas,
} as const;

export type EventType = keyof typeof eventSchemas;
export const eventTypes = Object.keys(eventSchemas) as EventType[];

/** The version each type is written with today; older versions are upcast where events are read. */
export const currentVersion: Record<EventType, number> = {
  ...chatUserEventVersions,
  ...chatSessionEventVersions,
  ...agentEventVersions,
  ...cannedResponseEventVersions,
  ...privacyEventVersions,
};

export type EventData<T extends EventType> = Readonly<z.infer<(typeof eventSchemas)[T]>>;

/** A domain event as deciders produce it: no metadata, no position. */
export type DomainEvent = EventsOf<typeof eventSchemas>;
export type EventOf<T extends EventType> = Extract<DomainEvent, { type: T }>;

export function isEventType(type: string): type is EventType {
  return Object.hasOwn(eventSchemas, type);
}

/**
 * An event as the domain and the projections fold it: what happened, when (ISO 8601, UTC) and, where the
 * reader has it, who caused it (the read model records which browser started a session anonymously).
 */
export type Fact = FactOf<DomainEvent>;
