import { z } from "zod";
import type { RequestContext } from "../events/metadata";
import { streams } from "../events/streams";
import { decideSetContact, evolveChatSession, initialChatSession } from "./chatSession";
import type { CommandDeps } from "./deps";
import { NotFoundError } from "./errors";
import { emailField, phoneField, requiredText, storableText, uuidField } from "./fields";
import { appendDecided, loadStream, retryOnConflict } from "./handler";
import { ownsSession, type SessionAccess } from "./sessionAccess";

export const setContactInput = z.object({
  session_id: uuidField,
  contact_name: requiredText(255),
  contact_email: emailField,
  contact_phone: phoneField.nullish(),
  position: storableText(255).nullish(),
  company_name: storableText(255).nullish(),
});
export type SetContactInput = z.infer<typeof setContactInput>;

export interface SetContactResult {
  readonly session_id: string;
  readonly created: boolean;
  readonly message: string;
  readonly position: number;
}

/**
 * Sets the contact details of a session; setting them again updates them. Only the session's owner (or staff
 * allowed to) may: anyone else is told the session does not exist.
 */
export async function setContact(
  deps: CommandDeps,
  input: SetContactInput,
  ctx: RequestContext,
  access: SessionAccess,
): Promise<SetContactResult> {
  const stream = streams.chatSession(input.session_id);
  return retryOnConflict(async () => {
    const loaded = await loadStream(deps.store, stream, evolveChatSession, initialChatSession);
    const started = loaded.state.status === "started" ? loaded.state.chatUserId : null;
    if (
      started !== null &&
      !(await ownsSession(deps, { sessionId: input.session_id, chatUserId: started }, access))
    ) {
      throw new NotFoundError("Chat session not found");
    }
    const events = decideSetContact(
      {
        contactId: deps.newId(),
        contact: {
          contact_name: input.contact_name,
          contact_email: input.contact_email,
          contact_phone: input.contact_phone ?? null,
          position: input.position ?? null,
          company_name: input.company_name ?? null,
        },
      },
      loaded.state,
    );
    const owner = loaded.state.status === "started" ? loaded.state.chatUserId : input.session_id;
    const position = await appendDecided(deps.store, stream, loaded, events, ctx, owner);
    const created = events.some((e) => e.type === "ChatSessionContactSet");
    return {
      session_id: input.session_id,
      created,
      message: created ? "Contact information saved" : "Contact information updated",
      position: Number(position),
    };
  });
}
