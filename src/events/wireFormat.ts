import { currentVersion, isEventType } from "./chatEvents";
import type { RecordedEvent } from "./recorded";
import { UnreadableEventError, upcast } from "./upcasters";

/** A recorded event as it travels on the bus: JSON, with bigints as decimal strings. */
export interface WireEvent {
  readonly id: string;
  readonly type: string;
  readonly version: number;
  readonly data: unknown;
  readonly metadata: RecordedEvent["metadata"];
  readonly streamId: string;
  readonly revision: string;
  readonly position: string;
  readonly logPosition: { readonly commit: string; readonly prepare: string };
}

export function toWire(event: RecordedEvent): WireEvent {
  return {
    id: event.id,
    type: event.type,
    version: event.storedVersion,
    data: event.data,
    metadata: event.metadata,
    streamId: event.streamId,
    revision: event.revision.toString(),
    position: event.position.toString(),
    logPosition: {
      commit: event.logPosition.commit.toString(),
      prepare: event.logPosition.prepare.toString(),
    },
  };
}

/** Reads a bus message back; the data is upcast and validated as where any event is read. */
export function fromWire(json: string): RecordedEvent {
  const w = JSON.parse(json) as WireEvent;
  // The data on the wire is already in its type's current shape: this only validates it.
  if (!isEventType(w.type)) throw new UnreadableEventError(`unknown event type ${w.type}`);
  const domain = upcast(w.type, currentVersion[w.type], w.data);
  return {
    ...domain,
    id: w.id,
    metadata: w.metadata,
    streamId: w.streamId,
    revision: BigInt(w.revision),
    position: BigInt(w.position),
    logPosition: { commit: BigInt(w.logPosition.commit), prepare: BigInt(w.logPosition.prepare) },
    storedVersion: w.version,
  };
}

/** The bus key: the chat user the event's stream belongs to, so one user's events stay in one partition, in order. */
export function partitionKey(event: RecordedEvent): string {
  return event.metadata.owner_id;
}
