import type { Knex } from "knex";
import type { Logger } from "pino";
import { anySessionAccess } from "../commands/sessionAccess";
import { type ConversationDeps, changeSession } from "../commands/sessionCommand";
import type { AgentRef } from "../domain/chatSession/state";
import type { RequestContext } from "../events/metadata";
import type { EventStore } from "../eventstore/eventStore";
import { getQueue } from "../queries/agentQueries";
import { waitForPosition } from "../queries/waitForPosition";
import { pickAgent } from "./pickAgent";

/** Wakes auto-routing when something it decides on may have changed, once the read model shows `position`. */
export interface RoutingTrigger {
  nudge(position: number): void;
}

export interface AutoRouter extends RoutingTrigger {
  /** Runs one routing pass now (tests); resolves with the number of sessions assigned. */
  routeOnce(): Promise<number>;
  stop(): Promise<void>;
}

export interface AutoRouterOptions {
  readonly knex: Knex;
  readonly store: EventStore;
  readonly conversations: ConversationDeps;
  readonly logger: Logger;
  readonly maxChatsPerAgent: number;
  readonly intervalMs: number;
  readonly readYourWritesTimeoutMs: number;
}

/** Held for a routing pass, so that routers in several API processes never give one agent too many chats. */
const ROUTING_LOCK_KEY = 7_246_010;

async function availableAgents(knex: Knex) {
  const rows = await knex
    .table("chat_agents as a")
    .join("staff_api_keys as k", "k.id", "a.id")
    .where({ "a.status": "available", "k.role": "agent" })
    .whereNull("k.revoked_at")
    .select(
      "a.id",
      "a.name",
      knex.raw(
        "(SELECT count(*) FROM chat_sessions s WHERE s.assigned_agent_id = a.id AND s.status = 'active')::int AS active",
      ),
    );
  return rows.map((r) => ({ id: r.id as string, name: r.name as string, active: r.active as number }));
}

function systemContext(): RequestContext {
  return {
    actor: { kind: "system", id: "auto-routing" },
    ip: "127.0.0.1",
    userAgent: null,
    correlationId: crypto.randomUUID(),
    now: () => new Date(),
  };
}

/**
 * ROUTING=auto: gives waiting sessions (queue order) to the available agent with the fewest active chats
 * below the limit; the rest stay queued until an agent frees up or becomes available. A pass runs when nudged
 * (a session started or closed, an agent became available) and on an interval. Each assignment is an ordinary
 * command on the session stream, so one an agent claimed meanwhile is left alone. The pass waits until the
 * read model shows its assignments before it lets the next pass (here or in another process) count chats.
 */
export function startAutoRouter(options: AutoRouterOptions): AutoRouter {
  const { knex, logger } = options;
  let running: Promise<number> | null = null;
  let again = false;
  let stopped = false;

  async function pass(): Promise<number> {
    return knex.transaction(async (trx) => {
      const lock = await trx.raw("SELECT pg_try_advisory_xact_lock(?) AS ok", [ROUTING_LOCK_KEY]);
      if (!lock.rows[0]?.ok) return 0;
      const agents = await availableAgents(knex);
      if (agents.length === 0) return 0;
      const queue = await getQueue(knex, undefined, 200);
      let assigned = 0;
      let last = 0;
      for (const session of queue) {
        const agent = pickAgent(agents, options.maxChatsPerAgent);
        if (!agent) break;
        const ref: AgentRef = { id: agent.id, name: agent.name };
        const change = await changeSession(
          options.conversations,
          session.session_id,
          systemContext(),
          {
            type: "AutoAssignSession",
            agent: ref,
          },
          anySessionAccess,
        ).catch((err) => {
          logger.warn({ err, session: session.session_id }, "auto-routing could not assign a session");
          return null;
        });
        if (change && change.events.length > 0) {
          agent.active++;
          assigned++;
          last = Math.max(last, change.position);
        }
      }
      if (last > 0) await waitForPosition(options, last, options.readYourWritesTimeoutMs);
      return assigned;
    });
  }

  function routeOnce(): Promise<number> {
    if (running) {
      again = true;
      return running;
    }
    running = pass()
      .catch((err) => {
        logger.error({ err }, "auto-routing pass failed");
        return 0;
      })
      .finally(() => {
        running = null;
        if (again && !stopped) {
          again = false;
          void routeOnce();
        }
      });
    return running;
  }

  const timer = setInterval(() => void routeOnce(), options.intervalMs);
  timer.unref();

  return {
    routeOnce,
    nudge(position) {
      if (stopped) return;
      void waitForPosition(options, position, options.readYourWritesTimeoutMs)
        .catch(() => false)
        .then(() => routeOnce());
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
