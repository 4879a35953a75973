import { startedOrNotFound } from "../domain/chatSession/conversation";
import { type ChatSessionCommand, chatSessionDecider } from "../domain/chatSession/decide";
import {
  type ChatSessionState,
  evolveChatSession,
  initialChatSession,
  type StartedChatSession,
} from "../domain/chatSession/state";
import { NotFoundError } from "../domain/errors";
import { streams } from "../domain/streams";
import type { DomainEvent } from "../events/chatEvents";
import type { RequestContext } from "../events/metadata";
import type { StreamCheck } from "../eventstore/eventStore";
import type { CommandDeps } from "./deps";
import { appendWrites, type LoadedStream, rememberedFirst, UnverifiedNoOp } from "./handler";
import { type SessionAccess, sessionOwnership } from "./sessionAccess";
import { createStreamCache, type StreamCache } from "./streamCache";

/** Conversation commands load sessions through a cache that reads only a stream's new events. */
export interface ConversationDeps extends CommandDeps {
  readonly sessions: StreamCache<ChatSessionState>;
}

/** The command dependencies with a cache of folded sessions, shared by everything that acts on sessions. */
export function conversationDeps(commands: CommandDeps): ConversationDeps {
  return {
    ...commands,
    sessions: commands.remembered?.sessions ?? createStreamCache(evolveChatSession, initialChatSession),
  };
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

/** A session stream that does not exist (yet): what a process that never saw it assumes. */
export const sessionNotStarted: LoadedStream<ChatSessionState> = {
  state: initialChatSession,
  expected: "no_stream",
  position: null,
};

/**
 * Runs one command on a session: load (from the cache), check once that the caller may act on it (else it is
 * "not found": `access` says who asks, staff or the system with `anySession`), decide, append under the loaded
 * revision, and on a conflict do it all again from the new events. It is tried first on the session and identities this process remembers, reading nothing, the append
 * checked at their revisions (see rememberedFirst). The clock is read once, so a retry decides with the same
 * time it reports.
 */
export async function changeSession(
  deps: ConversationDeps,
  sessionId: string,
  ctx: RequestContext,
  command: ChatSessionCommand,
  access: SessionAccess,
): Promise<SessionChange> {
  const now = ctx.now();
  const fixed: RequestContext = { ...ctx, now: () => now };
  const stream = streams.chatSession(sessionId);
  let allowed = false;
  return rememberedFirst(async (remembered, appending) => {
    const loaded = remembered
      ? (deps.sessions.peek(stream) ?? sessionNotStarted)
      : await deps.sessions.load(deps.store, stream);
    const before = startedOrNotFound(loaded.state);
    let checks: readonly StreamCheck[] = [];
    if (remembered || !allowed) {
      const answer = await sessionOwnership(deps, before, access, { remembered });
      if (!answer.owns) throw new NotFoundError("Chat session not found");
      checks = answer.checks;
      if (!remembered) allowed = true;
    }
    const events = chatSessionDecider.decide(command, loaded.state);
    if (events.length === 0) {
      if (remembered) throw new UnverifiedNoOp();
      return { before, events, position: Number(loaded.position), at: now.toISOString() };
    }
    appending();
    const [written] = await appendWrites(
      deps.store,
      [{ streamId: stream, expected: loaded.expected, events, ownerId: before.chatUserId }],
      fixed,
      null,
      checks,
    );
    if (!written) throw new Error("a session change appended nothing");
    deps.sessions.advance(
      stream,
      loaded,
      written.facts,
      written.result.nextRevision,
      written.result.position,
    );
    return { before, events, position: Number(written.result.position), at: now.toISOString() };
  }, ATTEMPTS);
}

/** How many times a command on a busy session is decided again after another writer got there first. */
const ATTEMPTS = 60;
