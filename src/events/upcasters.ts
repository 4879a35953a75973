import { currentVersion, type DomainEvent, eventSchemas, isEventType } from "./chatEvents";

/** Raised when a stored event cannot be read as any known shape: the log holds something this code cannot fold. */
export class UnreadableEventError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UnreadableEventError";
  }
}

type Upcaster = (data: Record<string, unknown>) => Record<string, unknown>;

/** Upcasters keyed by type and the version they read: each lifts data one version up. */
const upcasters: Record<string, Record<number, Upcaster>> = {
  // v2 added the channel a chat came from; every v1 session came from the web widget.
  ChatSessionStarted: { 1: (data) => ({ ...data, channel: "web" }) },
};

/** Turns stored (type, version, data) into the current domain shape, validating it. */
export function upcast(type: string, version: number, data: unknown): DomainEvent {
  if (!isEventType(type)) throw new UnreadableEventError(`unknown event type ${type}`);
  const target = currentVersion[type];
  if (version > target)
    throw new UnreadableEventError(`${type} v${version} is newer than this code (v${target})`);
  let shaped = data as Record<string, unknown>;
  for (let v = version; v < target; v++) {
    const up = upcasters[type]?.[v];
    if (!up) throw new UnreadableEventError(`no upcaster for ${type} v${v}`);
    shaped = up(shaped);
  }
  const parsed = eventSchemas[type].safeParse(shaped);
  if (!parsed.success) throw new UnreadableEventError(`${type} v${version} does not match its schema`);
  return { type, data: parsed.data } as DomainEvent;
}
