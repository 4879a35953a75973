import type { CannedResponseEvent, CannedResponseFact } from "../domain/cannedResponses/events";
import type { Decider } from "../domain/decider";
import { ConflictError, NotFoundError } from "../domain/errors";
import type { EventData } from "../events/chatEvents";

/**
 * Canned responses, one stream per set: an agent's personal ones, or the shared ones. Shortcuts are unique
 * within a set, decided on its stream under its expected revision, so two agents saving the same shortcut at
 * once cannot both win.
 */
export type CannedScope = "personal" | "shared";

export type CannedFields = Omit<
  EventData<"CannedResponseSaved">,
  "canned_response_id" | "scope" | "owner_agent_id"
>;

export interface CannedSet {
  /** Live responses by id. */
  readonly responses: ReadonlyMap<string, CannedFields>;
}

export const emptyCannedSet: CannedSet = { responses: new Map() };

/** The events of a canned-response set's stream. */
export type CannedEvent = CannedResponseEvent;

export function evolveCannedSet(state: CannedSet, event: CannedResponseFact): CannedSet {
  const responses = new Map(state.responses);
  switch (event.type) {
    case "CannedResponseSaved": {
      const { canned_response_id, scope: _scope, owner_agent_id: _owner, ...fields } = event.data;
      responses.set(canned_response_id, fields);
      return { responses };
    }
    case "CannedResponseDeleted":
      responses.delete(event.data.canned_response_id);
      return { responses };
    default: {
      // Every event of the set's stream is handled above; anything else read from it changes nothing.
      const _unhandled: never = event;
      return state;
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

const sameFields = (a: CannedFields, b: CannedFields) =>
  a.shortcut === b.shortcut &&
  a.title === b.title &&
  a.body === b.body &&
  a.team_id === b.team_id &&
  a.language === b.language;

/** Decides a command on a set: a shortcut taken by another response of the set is a conflict. */
export function decideCanned(command: CannedCommand, state: CannedSet): CannedEvent[] {
  const owner = { scope: command.scope, owner_agent_id: command.ownerAgentId };
  switch (command.type) {
    case "SaveCannedResponse": {
      const known = state.responses.has(command.id);
      if (command.existing && !known) throw new NotFoundError("Canned response not found");
      if (!command.existing && known)
        throw new ConflictError("A canned response with this id exists already");
      const before = state.responses.get(command.id);
      if (before && sameFields(before, command.fields)) return [];
      for (const [id, other] of state.responses) {
        if (id !== command.id && other.shortcut === command.fields.shortcut) {
          throw new ConflictError("This shortcut is already used in this set");
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
      if (!state.responses.has(command.id)) throw new NotFoundError("Canned response not found");
      return [{ type: "CannedResponseDeleted", data: { canned_response_id: command.id, ...owner } }];
    default: {
      const unhandled: never = command;
      return unhandled;
    }
  }
}

/** The set's aggregate as one value: what the command handler and the tests drive. */
export const cannedDecider: Decider<CannedSet, CannedCommand, CannedResponseEvent, CannedResponseFact> = {
  initialState: emptyCannedSet,
  evolve: evolveCannedSet,
  decide: decideCanned,
};
