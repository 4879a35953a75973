import type { EventStore } from "../eventstore/eventStore";

/** What command handlers need from the outside world. */
export interface CommandDeps {
  readonly store: EventStore;
  readonly newId: () => string;
}
