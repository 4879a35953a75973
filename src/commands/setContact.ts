import type { RequestContext } from "../events/metadata";
import { streams } from "../events/streams";
import { type ContactDetails, decideSetContact, evolveChatSession, initialChatSession } from "./chatSession";
import type { CommandDeps } from "./deps";
import { NotFoundError } from "./errors";
import { appendDecided, loadStream, retryOnConflict } from "./handler";
import { ownsSession, type SessionAccess } from "./sessionAccess";

export interface SetContact {
  readonly sessionId: string;
  readonly contact: ContactDetails;
}

export interface ContactSet {
  readonly sessionId: string;
  /** True when the session had no contact before. */
  readonly created: boolean;
  /** Position of the session's last event, for read-your-writes. */
  readonly position: bigint | null;
}

/**
 * Sets the contact details of a session; setting them again updates them. Only the session's owner (or staff
 * allowed to) may: anyone else is told the session does not exist.
 */
export async function setContact(
  deps: CommandDeps,
  command: SetContact,
  ctx: RequestContext,
  access: SessionAccess,
): Promise<ContactSet> {
  const stream = streams.chatSession(command.sessionId);
  return retryOnConflict(async () => {
    const loaded = await loadStream(deps.store, stream, evolveChatSession, initialChatSession);
    const started = loaded.state.status === "started" ? loaded.state.chatUserId : null;
    if (
      started !== null &&
      !(await ownsSession(deps, { sessionId: command.sessionId, chatUserId: started }, access))
    ) {
      throw new NotFoundError("Chat session not found");
    }
    const events = decideSetContact({ contactId: deps.newId(), contact: command.contact }, loaded.state);
    const owner = loaded.state.status === "started" ? loaded.state.chatUserId : command.sessionId;
    const position = await appendDecided(deps.store, stream, loaded, events, ctx, owner);
    const created = events.some((e) => e.type === "ChatSessionContactSet");
    return { sessionId: command.sessionId, created, position };
  });
}
