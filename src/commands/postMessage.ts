import { alreadyPosted, type Participant } from "../domain/chatSession/conversation";
import type { RequestContext } from "../events/metadata";
import type { SessionAccess } from "./sessionAccess";
import { type ConversationDeps, changeSession } from "./sessionCommand";

export interface PostMessageInput {
  readonly session_id: string;
  readonly client_message_id?: string | undefined;
  readonly body: string;
}

export interface PostMessageResult {
  readonly message_id: string;
  readonly session_id: string;
  readonly seq: number;
  readonly created_at: string;
  readonly position: number;
  /** False when the client message id was posted before: nothing was appended. */
  readonly created: boolean;
}

/**
 * Posts a message with the next seq of its session. The same client message id again (a retry, also one racing
 * the first) appends nothing and answers with the first message.
 */
export async function postMessage(
  deps: ConversationDeps,
  input: PostMessageInput,
  author: Participant,
  ctx: RequestContext,
  access: SessionAccess,
): Promise<PostMessageResult> {
  const messageId = deps.newId();
  const clientMessageId = input.client_message_id ?? null;
  const change = await changeSession(
    deps,
    input.session_id,
    ctx,
    { type: "PostMessage", messageId, clientMessageId, author, body: input.body },
    access,
  );
  const posted = change.events[0];
  if (posted?.type === "ChatMessagePosted") {
    return {
      message_id: posted.data.message_id,
      session_id: input.session_id,
      seq: posted.data.seq,
      created_at: change.at,
      position: change.position,
      created: true,
    };
  }
  const first = alreadyPosted(change.before, clientMessageId);
  if (!first) throw new Error("a post that appended nothing must repeat a recent client message id");
  return {
    message_id: first.messageId,
    session_id: input.session_id,
    seq: first.seq,
    created_at: first.createdAt,
    position: change.position,
    created: false,
  };
}
