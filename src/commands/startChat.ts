import { chatSessionDecider } from "../domain/chatSession/decide";
import type { StartChatSession } from "../domain/chatSession/opening";
import { chatUserIdForBrowser, chatUserIdForOssUser } from "../domain/chatUser/identityIds";
import { decideBrowserUser, decideOssUser, type OssLogin } from "../domain/chatUser/identityWorkflow";
import { streams } from "../domain/streams";
import type { RequestContext } from "../events/metadata";
import type { CommandDeps } from "./deps";
import { appendWrites, rememberedFirst } from "./handler";
import { checksAt, decideIdentity, originOf, rememberAppended, writesAt } from "./identities";
import { sessionNotStarted } from "./sessionCommand";

/** Who starts a chat: an anonymous browser, or a verified OSS user. */
export type Visitor =
  | { readonly kind: "browser"; readonly browserUuid: string }
  | ({ readonly kind: "ossUser" } & OssLogin);

export interface StartChat {
  readonly visitor: Visitor;
  readonly topic: string;
  readonly priority: StartChatSession["priority"];
}

export interface ChatStarted {
  readonly sessionId: string;
  readonly chatUserId: string;
  /** Position of the session's first event, for read-your-writes. */
  readonly position: bigint;
}

/**
 * Starts a chat session for an anonymous browser or a logged-in OSS user, registering the chat user (and
 * claiming the OSS identity) on first use — all in one commit, so no chat user or claim is left without the rest.
 * It is decided first on the identity states this process remembers (a visitor it has not seen as new), with
 * the append checked at those revisions: a new visitor, or one whose chat this process started before, costs
 * no read; when the store disagrees the chat is decided again from fresh reads.
 */
export async function startChat(
  deps: CommandDeps,
  command: StartChat,
  requestCtx: RequestContext,
): Promise<ChatStarted> {
  return rememberedFirst(async (remembered, appending) => {
    const { ctx, origin } = originOf(requestCtx);
    const { visitor } = command;
    const options = { remembered };
    const decision =
      visitor.kind === "ossUser"
        ? await decideIdentity(
            deps,
            visitor.ossUserId,
            [chatUserIdForOssUser(visitor.ossUserId)],
            (states) => decideOssUser(visitor, states, origin),
            options,
          )
        : await decideIdentity(
            deps,
            null,
            [chatUserIdForBrowser(visitor.browserUuid)],
            (states) => decideBrowserUser(visitor.browserUuid, states, origin),
            options,
          );
    const { chatUserId } = decision.result;
    const sessionId = deps.newId();
    // A fresh id: the session stream cannot exist yet, so there is nothing to read; "no stream" still refuses it.
    const started = chatSessionDecider.decide(
      {
        type: "StartChatSession",
        sessionId,
        chatUserId,
        topic: command.topic,
        priority: command.priority,
        channel: "web",
      },
      chatSessionDecider.initialState,
    );
    const session = { streamId: streams.chatSession(sessionId), expected: "no_stream" as const };
    appending();
    const appended = await appendWrites(
      deps.store,
      [...writesAt(decision), { ...session, events: started, ownerId: chatUserId }],
      ctx,
      null,
      checksAt(decision),
    );
    rememberAppended(deps, decision, appended);
    const opened = appended.find((w) => w.streamId === session.streamId);
    if (opened) {
      const { nextRevision, position } = opened.result;
      deps.remembered?.sessions.advance(
        session.streamId,
        sessionNotStarted,
        opened.facts,
        nextRevision,
        position,
      );
    }
    const position = appended.at(-1)?.result.position;
    if (position === undefined) throw new Error("starting a chat appended nothing");
    return { sessionId, chatUserId, position };
  });
}
