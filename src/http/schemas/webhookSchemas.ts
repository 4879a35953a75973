import { z } from "zod";
import { NO_NUL_PATTERN, uuidField } from "../../commands/fields";
import type { EventType } from "../../events/chatEvents";
import { webhookEventTypes } from "../../webhooks/payload";
import { isoTime, uuid } from "./common";

const eventType = z.enum(webhookEventTypes as [EventType, ...EventType[]]);

export const createWebhookInput = z.object({
  url: z
    .string()
    .max(2000, "must be at most 2000 characters")
    .meta({
      minLength: 1,
      // What the URL parser accepts as an http(s) URL (it trims leading spaces; case does not matter).
      pattern: "^\\s*[Hh][Tt][Tt][Pp][Ss]?:",
      description:
        "An absolute http or https URL without credentials, whose host resolves only to public addresses " +
        "(unless WEBHOOK_ALLOW_PRIVATE=true)",
    }),
  event_types: z.array(eventType).min(1).max(webhookEventTypes.length),
  description: z
    .string()
    .max(500, "must be at most 500 characters")
    .meta({ pattern: NO_NUL_PATTERN })
    .nullish(),
});

export const webhookIdInput = z.object({ id: uuidField });

export const deadLettersInput = z.object({
  endpoint_id: uuidField.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

export const replayInput = z.object({
  id: uuidField,
  from_position: z.number("must be a whole number").int().min(0).max(Number.MAX_SAFE_INTEGER),
});

export const webhookEndpoint = z.object({
  id: uuid,
  url: z.string(),
  event_types: z.array(z.string()),
  description: z.string().nullable(),
  created_at: isoTime,
  disabled_at: isoTime.nullable(),
});

export const createdWebhookEndpoint = webhookEndpoint.extend({
  secret: z.string().describe("Standard Webhooks signing secret (whsec_…): shown only in this answer"),
});

export const webhookEndpointList = z.object({ endpoints: z.array(webhookEndpoint) });

export const deadLetterList = z.object({
  dead_letters: z.array(
    z.object({
      delivery_id: uuid.describe("Also the message's webhook-id"),
      endpoint_id: uuid,
      event_id: uuid,
      event_type: z.string(),
      event_position: z.number().int(),
      attempts: z.number().int(),
      last_status: z.number().int().nullable(),
      last_error: z.string().nullable(),
      dead_at: isoTime,
    }),
  ),
});

export const redelivered = z.object({ redelivered: z.number().int() });
export const replayQueued = z.object({
  queued: z.number().int().describe("Deliveries queued for the replay"),
});
