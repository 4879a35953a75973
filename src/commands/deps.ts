import type { EventStore } from "../eventstore/eventStore";
import { type ChatSessionState, evolveChatSession, initialChatSession } from "./chatSession";
import type { ChatUserState } from "./chatUser";
import { evolveChatUser, initialChatUser } from "./chatUser";
import type { OssIdentityState } from "./ossIdentity";
import { evolveOssIdentity, initialOssIdentity } from "./ossIdentity";
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
