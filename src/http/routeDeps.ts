import type { Knex } from "knex";
import type { CommandDeps } from "../commands/deps";
import type { ConversationDeps } from "../commands/sessionCommand";
import type { EventStore } from "../eventstore/eventStore";

/** Wakes auto-routing (src/routing/autoRouter.ts) after the log reached a position. */
export interface RoutingTrigger {
  nudge(position: number): void;
}

/** What the widget's and the conversation routes need. */
export interface RouteDeps {
  readonly commands: CommandDeps;
  /** The commands with a session cache; made from `commands` when not given. */
  readonly conversations?: ConversationDeps;
  readonly knex: Knex;
  readonly store: EventStore;
  readonly readYourWritesTimeoutMs: number;
  /** Auto-routing, woken when a session starts or closes; null or absent in manual mode. */
  readonly routing?: RoutingTrigger | null;
  /** Whether an OSS identity key is configured (else logged-in calls are refused). */
  readonly identityConfigured?: boolean;
}
