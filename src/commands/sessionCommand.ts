import type { DomainEvent } from "../events/chatEvents";
import type { RequestContext } from "../events/metadata";
import { streams } from "../events/streams";
import {
  type ChatSessionState,
  evolveChatSession,
  initialChatSession,
  type StartedChatSession,
} from "./chatSession";
import { startedOrNotFound } from "./conversation";
import type { CommandDeps } from "./deps";
import { NotFoundError } from "./errors";
import { appendDecided, retryOnConflict } from "./handler";
import { createStreamCache, type StreamCache } from "./streamCache";

/** Conversation commands load sessions through a cache that reads only a stream's new events. */
export interface ConversationDeps extends CommandDeps {
  readonly sessions: StreamCache<ChatSessionState>;
}

/** The command dependencies with a cache of folded sessions, shared by everything that acts on sessions. */
export function conversationDeps(commands: CommandDeps): ConversationDeps {
  return { ...commands, sessions: createStreamCache(evolveChatSession, initialChatSession) };
}

export interface SessionChange {
  /** The session as the decision saw it, before the new events. */
  readonly before: StartedChatSession;
  readonly events: readonly DomainEvent[];
  /** Of the last appended event, or of the stream's last event when nothing was appended. */
  readonly position: number;
  /** When the events happened (the metadata's occurred_at). */
  readonly at: string;
}

/** How many times a command on a busy session is decided again after another writer got there first. */
const ATTEMPTS = 60;

/**
 * Runs one command on a session: load (from the cache), check once that the caller may act on it (else it is
 * "not found"), decide, append under the loaded revision, and on a conflict do it all again from the new
 * events. The clock is read once, so a retry decides with the same time it reports.
 */
export async function changeSession(
  deps: ConversationDeps,
  sessionId: string,
  ctx: RequestContext,
  decide: (state: ChatSessionState) => DomainEvent[],
  mayAct: (session: StartedChatSession) => Promise<boolean> = async () => true,
): Promise<SessionChange> {
  const now = ctx.now();
  const fixed: RequestContext = { ...ctx, now: () => now };
  const stream = streams.chatSession(sessionId);
  let allowed = false;
  return retryOnConflict(async () => {
    const loaded = await deps.sessions.load(deps.store, stream);
    const before = startedOrNotFound(loaded.state);
    if (!allowed) {
      if (!(await mayAct(before))) throw new NotFoundError("Chat session not found");
      allowed = true;
    }
    const events = decide(loaded.state);
    const position = await appendDecided(deps.store, stream, loaded, events, fixed, before.chatUserId);
    return { before, events, position: Number(position), at: now.toISOString() };
  }, ATTEMPTS);
}
