import { z } from "zod";
import { type Actor, actorSchema } from "../domain/actor";

export { type Actor, actorSchema };

/** Who caused an event and from where; never a raw token or key. */
export const eventMetadataSchema = z.looseObject({
  occurred_at: z.string(),
  correlation_id: z.string(),
  causation_id: z.string().nullable(),
  actor: actorSchema,
  ip: z.string().nullable(),
  user_agent: z.string().nullable(),
  /** The chat user the stream belongs to: the bus partitions by it so a user's events stay in order. */
  owner_id: z.string(),
});
export type EventMetadata = z.infer<typeof eventMetadataSchema>;

/** What a request tells the command handlers about its origin. */
export interface RequestContext {
  readonly actor: Actor;
  readonly ip: string;
  readonly userAgent: string | null;
  readonly correlationId: string;
  readonly now: () => Date;
}
