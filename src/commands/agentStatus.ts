import { agentDecider } from "../domain/agent/decide";
import type { AgentAvailability, AgentRef } from "../domain/agent/state";
import { streams } from "../domain/streams";
import type { RequestContext } from "../events/metadata";
import type { CommandDeps } from "./deps";
import { appendDecided, loadStream, retryOnConflict } from "./handler";

export async function setAgentStatus(
  deps: CommandDeps,
  agent: AgentRef,
  status: AgentAvailability,
  ctx: RequestContext,
) {
  const stream = streams.agent(agent.id);
  return retryOnConflict(async () => {
    const loaded = await loadStream(deps.store, stream, agentDecider.evolve, agentDecider.initialState);
    const events = agentDecider.decide({ type: "SetAgentStatus", agent, status }, loaded.state);
    // The agent owns its stream: the bus keeps one agent's status changes in order.
    const position = await appendDecided(deps.store, stream, loaded, events, ctx, agent.id);
    return { agent_id: agent.id, status, position: Number(position) };
  });
}
