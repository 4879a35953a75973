/** An available agent and how many active chats it has now. */
export interface AgentLoad {
  readonly id: string;
  readonly name: string;
  active: number;
}

/** The agent with the fewest active chats below the limit (ties: the lower id, so the choice is stable), or null. */
export function pickAgent<A extends AgentLoad>(agents: readonly A[], maxChatsPerAgent: number): A | null {
  let best: A | null = null;
  for (const agent of agents) {
    if (agent.active >= maxChatsPerAgent) continue;
    if (best === null || agent.active < best.active || (agent.active === best.active && agent.id < best.id)) {
      best = agent;
    }
  }
  return best;
}
