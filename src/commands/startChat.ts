import { z } from "zod";
import type { RequestContext } from "../events/metadata";
import { streams } from "../events/streams";
import { type ChatSessionState, decideStart, initialChatSession } from "./chatSession";
import type { CommandDeps } from "./deps";
import { emailField, ossUserIdField, requiredText, storableText, uuidField } from "./fields";
import { appendDecided, type LoadedStream, retryOnConflict } from "./handler";
import { resolveBrowserUser, resolveOssUser } from "./identities";

export const startChatInput = z
  .object({
    browser_uuid: uuidField.optional(),
    oss_user_id: ossUserIdField.optional(),
    email: emailField.optional(),
    topic: requiredText(500),
    priority: z.enum(["low", "normal", "high", "urgent"]).default("normal"),
    user_agent: storableText(1000).optional(),
  })
  .superRefine((v, ctx) => {
    if ((v.oss_user_id === undefined) !== (v.email === undefined)) {
      const missing = v.oss_user_id === undefined ? "oss_user_id" : "email";
      ctx.addIssue({
        code: "custom",
        path: [missing],
        message: "oss_user_id and email are required together",
      });
    }
    if (v.browser_uuid === undefined && v.oss_user_id === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["browser_uuid"],
        message: "browser_uuid (anonymous) or oss_user_id with email (logged in) is required",
      });
    }
  });
export type StartChatInput = z.infer<typeof startChatInput>;

export interface StartChatResult {
  readonly session_id: string;
  readonly chat_user_id: string;
  readonly status: "waiting";
  readonly message: string;
  readonly requires_contact: boolean;
  readonly position: number;
}

/** Starts a chat session for an anonymous browser or a logged-in OSS user, registering the chat user on first use. */
export async function startChat(
  deps: CommandDeps,
  input: StartChatInput,
  ctx: RequestContext,
): Promise<StartChatResult> {
  const chatUserId = await retryOnConflict(async () =>
    input.oss_user_id !== undefined && input.email !== undefined
      ? resolveOssUser(deps, { ossUserId: input.oss_user_id, email: input.email }, ctx)
      : (await resolveBrowserUser(deps, input.browser_uuid as string, ctx)).chatUserId,
  );
  const sessionId = deps.newId();
  const stream = streams.chatSession(sessionId);
  // A fresh random id: the stream cannot exist yet, so there is nothing to read; the append's "no stream"
  // expectation still refuses it if it did.
  const loaded: LoadedStream<ChatSessionState> = {
    state: initialChatSession,
    expected: "no_stream",
    position: null,
  };
  const events = decideStart(
    { sessionId, chatUserId, topic: input.topic, priority: input.priority, channel: "web" },
    loaded.state,
  );
  const position = await appendDecided(deps.store, stream, loaded, events, ctx, chatUserId);
  return {
    session_id: sessionId,
    chat_user_id: chatUserId,
    status: "waiting",
    message: "Chat session started successfully",
    requires_contact: true,
    position: Number(position),
  };
}
