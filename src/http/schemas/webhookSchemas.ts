import { z } from "zod";
import { uuidField } from "../../commands/fields";
import type { EventType } from "../../events/chatEvents";
import { webhookEventTypes } from "../../webhooks/payload";

const eventType = z.enum(webhookEventTypes as [EventType, ...EventType[]]);

export const createWebhookInput = z.object({
  url: z.string().max(2000, "must be at most 2000 characters"),
  event_types: z.array(eventType).min(1).max(webhookEventTypes.length),
  description: z.string().max(500, "must be at most 500 characters").nullish(),
});

export const webhookIdInput = z.object({ id: uuidField });

export const deadLettersInput = z.object({
  endpoint_id: uuidField.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

export const replayInput = z.object({
  id: uuidField,
  from_position: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
});
