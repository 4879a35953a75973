import { type ChatSessionState, evolveChatSession, initialChatSession } from "../domain/chatSession/state";
import type { OssIdentityState } from "../domain/chatUser/ossIdentity";
import { evolveOssIdentity, initialOssIdentity } from "../domain/chatUser/ossIdentity";
import type { ChatUserState } from "../domain/chatUser/state";
import { evolveChatUser, initialChatUser } from "../domain/chatUser/state";
import type { EventStore } from "../eventstore/eventStore";
import { createStreamCache, type StreamCache } from "./streamCache";

/** States this process folded: chat users, OSS identities and sessions (src/commands/streamCache.ts). */
export interface RememberedIdentities {
  readonly users: StreamCache<ChatUserState>;
  readonly identities: StreamCache<OssIdentityState>;
  readonly sessions: StreamCache<ChatSessionState>;
}

/** What command handlers need from the outside world. */
export interface CommandDeps {
  readonly store: EventStore;
  readonly newId: () => string;
  /** Without it every identity is read whole from the store. */
  readonly remembered?: RememberedIdentities;
}

export function rememberIdentities(maxStreams = 50_000): RememberedIdentities {
  return {
    users: createStreamCache(evolveChatUser, initialChatUser, maxStreams),
    identities: createStreamCache(evolveOssIdentity, initialOssIdentity, maxStreams),
    sessions: createStreamCache(evolveChatSession, initialChatSession, maxStreams),
  };
}
