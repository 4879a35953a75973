import type { Fact } from "../events/chatEvents";
import type { Projection, RowOp } from "./rowOps";

/** chat_agents: one row per agent who has set a status; auto-routing picks the available ones. */
export const chatAgentsProjection: Projection = {
  name: "chat_agents",
  table: "chat_agents",
  project(event: Fact): RowOp[] {
    switch (event.type) {
      case "AgentStatusChanged":
        return [
          {
            kind: "upsert",
            table: "chat_agents",
            conflict: ["id"],
            onConflict: "replace",
            row: {
              id: event.data.agent_id,
              name: event.data.agent_name,
              status: event.data.status,
              updated_at: event.occurredAt,
            },
          },
        ];
      default:
        // Every other event leaves this table as it is.
        return [];
    }
  },
};
