import type { Knex } from "knex";
import { z } from "zod";
import { mergedUserIds, readAuditEvents } from "../audit/auditLog";
import { appendDecided, loadStream, retryOnConflict } from "../commands/handler";
import { anySessionAccess } from "../commands/sessionAccess";
import { type ConversationDeps, changeSession, conversationDeps } from "../commands/sessionCommand";
import { NotFoundError } from "../domain/errors";
import { streams } from "../domain/streams";
import { erasureReason } from "../events/chatEvents";
import type { RequestContext } from "../events/metadata";
import type { EventStore } from "../eventstore/eventStore";
import { eraseRows, personalColumns } from "../projections/erasure";
import type { ReadTable } from "../projections/rowOps";
import { decideErase, evolveErasure, initialErasure } from "./erasure";
import type { KeyStore } from "./keyStore";

export interface PrivacyDeps {
  /** The encrypting store: what commands append through. */
  readonly store: EventStore;
  readonly knex: Knex;
  readonly keys: KeyStore;
  readonly newId: () => string;
  /** The API's session commands (and their cache); made from `store` and `newId` when absent (the CLI). */
  readonly conversations?: ConversationDeps;
}

export const eraseInput = z.object({
  chat_user_id: z.uuid(),
  reason: erasureReason,
  /** A case or ticket number: letters, digits and - _ . / # : only, so no one writes the person into it. */
  reference: z
    .string()
    .regex(/^[\w\-./#:]{1,100}$/, "must be a case number (letters, digits, - _ . / # :)")
    .nullish(),
});
export type EraseInput = z.infer<typeof eraseInput>;

export interface EraseResult {
  readonly chat_user_id: string;
  /** false: the user was erased before and nothing changed. */
  readonly erased: boolean;
  readonly erased_chat_user_ids: string[];
  readonly keys_destroyed: number;
  /** The subject's chats that were still waiting or active, closed by the erasure. */
  readonly sessions_closed: number;
  readonly position: number | null;
}

/**
 * Erases a chat user by crypto-shredding: their keys (and those of users merged into them) are destroyed, so
 * every copy of their sealed fields (log, topic, backups made afterwards) reads as "[erased]"; a
 * `ChatUserErased` event records who did it and why; their chats still waiting or active are closed (by the
 * system: those events need no key), so none waits in the agents' queue for ever; their rows in the read tables
 * are blanked at once. Keys go first: a write racing the erasure is then refused (or sealed with a key already
 * gone), so no chat can start after the open ones are found.
 */
export async function eraseChatUser(
  deps: PrivacyDeps,
  input: EraseInput,
  ctx: RequestContext,
): Promise<EraseResult> {
  const stream = streams.chatUser(input.chat_user_id);
  const before = await loadStream(deps.store, stream, evolveErasure, initialErasure);
  if (before.state.status === "none") throw new NotFoundError("Chat user not found");
  const ids = await mergedUserIds(deps.store, input.chat_user_id);
  const { destroyed } = await deps.keys.eraseSubjects(ids);
  const position = await retryOnConflict(async () => {
    const loaded = await loadStream(deps.store, stream, evolveErasure, initialErasure);
    const command = {
      chatUserId: input.chat_user_id,
      chatUserIds: ids,
      erasedBy: ctx.actor,
      reason: input.reason,
      reference: input.reference ?? null,
    };
    const events = decideErase(command, loaded.state) ?? [];
    const appended = await appendDecided(deps.store, stream, loaded, events, ctx, input.chat_user_id);
    return { erased: events.length > 0, position: appended };
  });
  const closed = await closeOpenSessions(deps, ids, ctx);
  for (const table of Object.keys(personalColumns) as ReadTable[]) {
    await eraseRows(deps.knex, "public", table, ids);
  }
  return {
    chat_user_id: input.chat_user_id,
    erased: position.erased,
    erased_chat_user_ids: ids,
    keys_destroyed: destroyed,
    sessions_closed: closed,
    position: position.position === null ? null : Number(position.position),
  };
}

/** Closes the sessions of the chat users `ids` that are not closed, through the session command; the count. */
async function closeOpenSessions(deps: PrivacyDeps, ids: readonly string[], ctx: RequestContext) {
  const sessionIds = new Set<string>();
  for await (const page of readAuditEvents(deps.store, { kind: "owners", ownerIds: ids }))
    for (const e of page)
      if (e.type === "ChatSessionStarted")
        sessionIds.add(String((e.data as { session_id: unknown }).session_id));
  const conversations = deps.conversations ?? conversationDeps({ store: deps.store, newId: deps.newId });
  const by = { kind: "system", id: "erasure" } as const;
  // The erasure's own request stays out of these events: they are the system's, and need no key.
  const system: RequestContext = { ...ctx, actor: by, ip: "system", userAgent: null };
  let closed = 0;
  for (const id of sessionIds) {
    const change = await changeSession(
      conversations,
      id,
      system,
      { type: "CloseSession", by },
      anySessionAccess,
    );
    if (change.events.length > 0) closed++;
  }
  return closed;
}
