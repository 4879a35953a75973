import { z } from "zod";
import type { RequestContext } from "../events/metadata";
import { streams } from "../events/streams";
import { decideStart, initialChatSession } from "./chatSession";
import type { CommandDeps } from "./deps";
import { emailField, ossUserIdField, requiredText, storableText, uuidField } from "./fields";
import { appendDecidedToStreams, retryOnConflict } from "./handler";
import { decideIdentity, originOf, writesAt } from "./identities";
import { chatUserIdForBrowser, chatUserIdForOssUser } from "./identityIds";
import { decideBrowserUser, decideOssUser } from "./identityWorkflow";

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

/**
 * Starts a chat session for an anonymous browser or a logged-in OSS user, registering the chat user (and
 * claiming the OSS identity) on first use — all in one commit, so no chat user or claim is left without the rest.
 */
export async function startChat(
  deps: CommandDeps,
  input: StartChatInput,
  requestCtx: RequestContext,
): Promise<StartChatResult> {
  return retryOnConflict(async () => {
    const { ctx, origin } = originOf(requestCtx);
    const { oss_user_id: ossUserId, email, browser_uuid: browserUuid } = input;
    const decision =
      ossUserId !== undefined && email !== undefined
        ? await decideIdentity(deps, ossUserId, [chatUserIdForOssUser(ossUserId)], (states) =>
            decideOssUser({ ossUserId, email }, states, origin),
          )
        : await decideIdentity(deps, null, [chatUserIdForBrowser(browserUuid as string)], (states) =>
            decideBrowserUser(browserUuid as string, states, origin),
          );
    const { chatUserId } = decision.result;
    const sessionId = deps.newId();
    // A fresh id: the session stream cannot exist yet, so there is nothing to read; "no stream" still refuses it.
    const started = decideStart(
      { sessionId, chatUserId, topic: input.topic, priority: input.priority, channel: "web" },
      initialChatSession,
    );
    const session = { streamId: streams.chatSession(sessionId), expected: "no_stream" as const };
    const position = await appendDecidedToStreams(
      deps.store,
      [...writesAt(decision), { ...session, events: started, ownerId: chatUserId }],
      ctx,
    );
    return {
      session_id: sessionId,
      chat_user_id: chatUserId,
      status: "waiting" as const,
      message: "Chat session started successfully",
      requires_contact: true,
      position: Number(position),
    };
  });
}
