import { ownsSession } from "../commands/sessionAccess";
import { streams } from "../domain/streams";
import type { EventStore } from "../eventstore/eventStore";
import type { SocketIdentity } from "./credentials";
import { type SessionView, sessionViewOf } from "./notices";
import type { MessageView } from "./protocol";

/** Reads a session's own stream: the truth at the moment of reading, whatever the read tables show yet. */
export async function readSessionView(store: EventStore, sessionId: string): Promise<SessionView> {
  return sessionViewOf(await store.readStream(streams.chatSession(sessionId)));
}

/** The session's messages after a seq, from its stream. */
export async function readMessagesAfter(
  store: EventStore,
  sessionId: string,
  afterSeq: number,
): Promise<MessageView[]> {
  const view = await readSessionView(store, sessionId);
  return view.messages.filter((m) => m.seq > afterSeq);
}

/**
 * Whether a socket may watch a session: agents any session that exists (as over HTTP), visitors the sessions
 * they own — checked in the event store like `contact`, so a session started a moment ago counts.
 */
export async function mayWatch(
  store: EventStore,
  identity: SocketIdentity,
  sessionId: string,
  view: SessionView,
): Promise<boolean> {
  if (view.status === "none" || view.chatUserId === null) return false;
  const deps = { store, newId: () => "" };
  const session = { sessionId, chatUserId: view.chatUserId };
  switch (identity.kind) {
    case "agent":
      return true;
    case "browser":
      return ownsSession(deps, session, {
        anySession: false,
        browserUuid: identity.browserUuid,
        ossUserId: null,
      });
    case "oss_user":
      return ownsSession(deps, session, {
        anySession: false,
        browserUuid: null,
        ossUserId: identity.ossUserId,
      });
    default: {
      const unhandled: never = identity;
      throw new Error(`unhandled identity ${JSON.stringify(unhandled)}`);
    }
  }
}
