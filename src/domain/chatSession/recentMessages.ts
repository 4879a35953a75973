/** A message as idempotent retries answer it: what the first post returned. */
export interface PostedMessage {
  readonly messageId: string;
  readonly seq: number;
  readonly createdAt: string;
}

/**
 * The client message ids of a session's recent messages, in two generations of at most GENERATION entries:
 * adding copies only the current generation, so folding a long stream stays linear, and a retry is recognised
 * for at least the last GENERATION messages (a client retries within seconds, not thousands of messages later).
 */
export interface RecentMessages {
  readonly current: ReadonlyMap<string, PostedMessage>;
  readonly previous: ReadonlyMap<string, PostedMessage>;
}

export const GENERATION = 256;

export const noRecentMessages: RecentMessages = { current: new Map(), previous: new Map() };

export function rememberMessage(
  recent: RecentMessages,
  clientId: string,
  message: PostedMessage,
): RecentMessages {
  if (recent.current.size >= GENERATION) {
    return { current: new Map([[clientId, message]]), previous: recent.current };
  }
  const current = new Map(recent.current);
  current.set(clientId, message);
  return { current, previous: recent.previous };
}

export function findRecentMessage(recent: RecentMessages, clientId: string): PostedMessage | null {
  return recent.current.get(clientId) ?? recent.previous.get(clientId) ?? null;
}
