import { chatAgentsProjection } from "./chatAgents";
import { chatMessagesProjection } from "./chatMessages";
import { chatSessionContactsProjection } from "./chatSessionContacts";
import { chatSessionsProjection } from "./chatSessions";
import { chatUsersProjection } from "./chatUsers";
import type { Projection } from "./rowOps";
import { cannedResponsesProjection, chatNotesProjection, searchDocumentsProjection } from "./workspace";

/** In the order their rows depend on each other: users before the sessions that reference them. */
export const projections: readonly Projection[] = [
  chatUsersProjection,
  chatSessionsProjection,
  chatSessionContactsProjection,
  chatMessagesProjection,
  chatAgentsProjection,
  chatNotesProjection,
  cannedResponsesProjection,
  searchDocumentsProjection,
];
