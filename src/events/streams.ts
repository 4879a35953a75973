/** Stream names of the domain: one stream per chat user, session and claimed OSS identity. */
export const streams = {
  chatUser: (chatUserId: string) => `chatUser-${chatUserId}`,
  chatSession: (sessionId: string) => `chatSession-${sessionId}`,
  ossIdentity: (ossUserId: string) => `ossIdentity-${ossUserId}`,
};
