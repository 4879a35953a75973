import { z } from "zod";
import {
  emailField,
  ossUserIdField,
  phoneField,
  requiredText,
  storableText,
  uuidField,
} from "../../commands/fields";
import type { LinkedUser } from "../../commands/linkUser";
import type { ContactSet } from "../../commands/setContact";
import type { ChatStarted } from "../../commands/startChat";

// The visitor API's request bodies and answers, field names as the design document gives them.

export const startChatInput = z
  .object({
    browser_uuid: uuidField.optional(),
    oss_user_id: ossUserIdField.optional(),
    email: emailField.optional(),
    topic: requiredText(500),
    priority: z.enum(["low", "normal", "high", "urgent"]).default("normal"),
    user_agent: storableText(1000).optional(),
  })
  .meta({
    description:
      "An anonymous chat names its browser_uuid; a logged-in one its oss_user_id and email, together (with an " +
      "OSS token they default to the token's)",
    anyOf: [{ required: ["browser_uuid"] }, { required: ["oss_user_id", "email"] }],
    dependentRequired: { oss_user_id: ["email"], email: ["oss_user_id"] },
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

export const setContactInput = z.object({
  session_id: uuidField,
  contact_name: requiredText(255),
  contact_email: emailField,
  contact_phone: phoneField.nullish(),
  position: storableText(255).nullish(),
  company_name: storableText(255).nullish(),
});

export const linkUserInput = z.object({
  browser_uuid: uuidField,
  oss_user_id: ossUserIdField,
  email: emailField,
});

// Answers carry a message in the request's language (src/http/language.ts), given by the route.

/** POST /api/oss-chat/start's answer. */
export function chatStartedBody(started: ChatStarted, message: string) {
  return {
    session_id: started.sessionId,
    chat_user_id: started.chatUserId,
    status: "waiting" as const,
    message,
    requires_contact: true,
    position: Number(started.position),
  };
}

/** POST /api/oss-chat/contact's answer. */
export function contactSetBody(set: ContactSet, message: string) {
  return {
    session_id: set.sessionId,
    created: set.created,
    message,
    position: Number(set.position),
  };
}

/** POST /api/oss-chat/link-user's answer. */
export function userLinkedBody(linked: LinkedUser, message: string) {
  return {
    chat_user_id: linked.chatUserId,
    oss_user_id: linked.ossUserId,
    merged: linked.merged,
    message,
    position: linked.position === null ? null : Number(linked.position),
  };
}
