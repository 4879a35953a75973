import type { ContactDetails } from "../domain/chatSession/state";
import type { RequestContext } from "../events/metadata";
import type { SessionAccess } from "./sessionAccess";
import { type ConversationDeps, changeSession } from "./sessionCommand";

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
 * allowed to) may: anyone else is told the session does not exist. Runs as every session command does
 * (changeSession): on remembered states first, the append checked at their revisions.
 */
export async function setContact(
  deps: ConversationDeps,
  command: SetContact,
  ctx: RequestContext,
  access: SessionAccess,
): Promise<ContactSet> {
  const contactId = deps.newId();
  const change = await changeSession(
    deps,
    command.sessionId,
    ctx,
    { type: "SetContact", contactId, contact: command.contact },
    access,
  );
  const created = change.events.some((e) => e.type === "ChatSessionContactSet");
  return { sessionId: command.sessionId, created, position: BigInt(change.position) };
}
