import type { CommandDeps } from "../commands/deps";
import { appendDecided, type LoadedStream, loadStream, retryOnConflict } from "../commands/handler";
import { NotFoundError } from "../domain/errors";
import type { RequestContext } from "../events/metadata";
import {
  type CannedCommand,
  type CannedFields,
  type CannedScope,
  type CannedSet,
  cannedDecider,
} from "./cannedResponses";

/** A set's stream: one agent's personal responses, or the shared ones. */
export const cannedStream = (scope: CannedScope, agentId: string | null) =>
  scope === "shared" ? "cannedResponses-shared" : `cannedResponses-${agentId}`;

/** The bus keeps a set's events in order by its owner: the agent, or "shared". */
const ownerOf = (scope: CannedScope, agentId: string | null) =>
  scope === "shared" ? "shared" : String(agentId);

export interface CannedResponse extends CannedFields {
  readonly id: string;
  readonly scope: CannedScope;
  readonly owner_agent_id: string | null;
}

const loadSet = (deps: CommandDeps, scope: CannedScope, agentId: string | null) =>
  loadStream(deps.store, cannedStream(scope, agentId), cannedDecider.evolve, cannedDecider.initialState);

/**
 * A response the agent may use, found on the streams (not a read table, so one just saved is found): the
 * agent's own set first, then the shared one. Another agent's personal response is not found.
 */
export async function findCanned(
  deps: CommandDeps,
  agentId: string,
  id: string,
): Promise<{ response: CannedResponse; loaded: LoadedStream<CannedSet> }> {
  for (const scope of ["personal", "shared"] as const) {
    const loaded = await loadSet(deps, scope, agentId);
    const fields = loaded.state.responses.get(id);
    const owner = scope === "shared" ? null : agentId;
    if (fields) return { response: { id, scope, owner_agent_id: owner, ...fields }, loaded };
  }
  throw new NotFoundError("Canned response not found");
}

async function run(deps: CommandDeps, command: CannedCommand, ctx: RequestContext) {
  const loaded = await loadSet(deps, command.scope, command.ownerAgentId);
  const events = cannedDecider.decide(command, loaded.state);
  const stream = cannedStream(command.scope, command.ownerAgentId);
  const owner = ownerOf(command.scope, command.ownerAgentId);
  const position = await appendDecided(deps.store, stream, loaded, events, ctx, owner);
  return Number(position);
}

export async function createCanned(
  deps: CommandDeps,
  input: { scope: CannedScope; agentId: string; fields: CannedFields },
  ctx: RequestContext,
) {
  const id = deps.newId();
  const ownerAgentId = input.scope === "shared" ? null : input.agentId;
  const command = { type: "SaveCannedResponse", id, existing: false, ...input, ownerAgentId } as const;
  const position = await retryOnConflict(() => run(deps, command, ctx));
  return { id, scope: input.scope, owner_agent_id: ownerAgentId, ...input.fields, position };
}

/** Changes the fields given; `mayManage` says whether the caller may change a response of that scope. */
export async function updateCanned(
  deps: CommandDeps,
  input: { id: string; agentId: string; changes: Partial<CannedFields> },
  mayManage: (scope: CannedScope) => void,
  ctx: RequestContext,
) {
  return retryOnConflict(async () => {
    const { response } = await findCanned(deps, input.agentId, input.id);
    mayManage(response.scope);
    const { id, scope, owner_agent_id, ...current } = response;
    const fields: CannedFields = { ...current, ...definedOnly(input.changes) };
    const command = {
      type: "SaveCannedResponse",
      id,
      existing: true,
      scope,
      ownerAgentId: owner_agent_id,
      fields,
    } as const;
    const position = await run(deps, command, ctx);
    return { id, scope, owner_agent_id, ...fields, position };
  });
}

export async function deleteCanned(
  deps: CommandDeps,
  input: { id: string; agentId: string },
  mayManage: (scope: CannedScope) => void,
  ctx: RequestContext,
) {
  return retryOnConflict(async () => {
    const { response } = await findCanned(deps, input.agentId, input.id);
    mayManage(response.scope);
    const command = {
      type: "DeleteCannedResponse",
      id: response.id,
      scope: response.scope,
      ownerAgentId: response.owner_agent_id,
    } as const;
    return { position: await run(deps, command, ctx) };
  });
}

function definedOnly<T extends object>(changes: T): Partial<T> {
  return Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined)) as Partial<T>;
}
