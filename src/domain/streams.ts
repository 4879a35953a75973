/** Stream names of the domain: one stream per chat user, session, claimed OSS identity and agent. */
export const streams = {
  chatUser: (chatUserId: string) => `chatUser-${chatUserId}`,
  chatSession: (sessionId: string) => `chatSession-${sessionId}`,
  ossIdentity: (ossUserId: string) => `ossIdentity-${ossUserId}`,
  agent: (agentId: string) => `agent-${agentId}`,
  /** The records of privacy operations that concern no one stream: retention runs, the re-encryption. */
  privacy: (operation: "retention" | "reencryption") => `privacy-${operation}`,
};
