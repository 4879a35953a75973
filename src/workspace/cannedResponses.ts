import { ConflictError, NotFoundError } from "../commands/errors";
import type { DomainEvent, EventData, Fact } from "../events/chatEvents";

/**
 * Canned responses, one stream per set: an agent's personal ones, or the shared ones. Shortcuts are unique
 * within a set, decided on its stream under its expected revision, so two agents saving the same shortcut at
 * once cannot both win.
 */
export type CannedScope = "personal" | "shared";

export type CannedFields = Omit<EventData<"CannedResponseSaved">, "canned_response_id" | "scope" | "owner_agent_id">;

export interface CannedSet {
  /** Live responses by id: their shortcuts. */
  readonly shortcuts: ReadonlyMap<string, string>;
}

export const emptyCannedSet: CannedSet = { shortcuts: new Map() };

/** The events of a canned-response set's stream. */
export type CannedEvent = Extract<DomainEvent, { type: "CannedResponseSaved" | "CannedResponseDeleted" }>;

const isCannedEvent = (event: Fact): event is Fact & CannedEvent =>
  event.type === "CannedResponseSaved" || event.type === "CannedResponseDeleted";

export function evolveCannedSet(state: CannedSet, fact: Fact): CannedSet {
  if (!isCannedEvent(fact)) return state;
  const event: CannedEvent = fact;
  const shortcuts = new Map(state.shortcuts);
  switch (event.type) {
    case "CannedResponseSaved":
      shortcuts.set(event.data.canned_response_id, event.data.shortcut);
      return { shortcuts };
    case "CannedResponseDeleted":
      shortcuts.delete(event.data.canned_response_id);
      return { shortcuts };
    default: {
      const unhandled: never = event;
      return unhandled;
    }
  }
}

export type CannedCommand =
  | {
      readonly type: "SaveCannedResponse";
      readonly id: string;
      /** false: create (the id is new); true: change an existing one. */
      readonly existing: boolean;
      readonly scope: CannedScope;
      readonly ownerAgentId: string | null;
      readonly fields: CannedFields;
    }
  | {
      readonly type: "DeleteCannedResponse";
      readonly id: string;
      readonly scope: CannedScope;
      readonly ownerAgentId: string | null;
    };

/** Decides a command on a set: a shortcut taken by another response of the set is a conflict. */
export function decideCanned(command: CannedCommand, state: CannedSet): CannedEvent[] {
  const owner = { scope: command.scope, owner_agent_id: command.ownerAgentId };
  switch (command.type) {
    case "SaveCannedResponse": {
      const known = state.shortcuts.has(command.id);
      if (command.existing && !known) throw new NotFoundError("Canned response not found");
      if (!command.existing && known) throw new ConflictError("A canned response with this id exists already");
      for (const [id, shortcut] of state.shortcuts) {
        if (id !== command.id && shortcut === command.fields.shortcut) {
          throw new ConflictError(`The shortcut "${shortcut}" is taken in this ${command.scope} set`);
        }
      }
      return [
        {
          type: "CannedResponseSaved",
          data: { canned_response_id: command.id, ...owner, ...command.fields },
        },
      ];
    }
    case "DeleteCannedResponse":
      if (!state.shortcuts.has(command.id)) throw new NotFoundError("Canned response not found");
      return [{ type: "CannedResponseDeleted", data: { canned_response_id: command.id, ...owner } }];
    default: {
      const unhandled: never = command;
      return unhandled;
    }
  }
}

/** The set's aggregate as one value: what the command handler and the tests drive. */
export const cannedDecider = {
  decide: decideCanned,
  evolve: evolveCannedSet,
  initialState: emptyCannedSet,
};
