import { z } from "zod";
import { isoTime } from "./common";

/** What ops' endpoints answer. */
export const projectionsHealth = z.object({
  head: z.object({
    position: z.number().int().nullable(),
    log_position: z.string().nullable(),
    recorded_at: isoTime.nullable(),
  }),
  projections: z.array(
    z.object({
      name: z.string(),
      state: z.enum(["running", "rebuilding", "stalled"]),
      checkpoint: z.object({ log_position: z.string(), updated_at: z.string() }).nullable(),
      lag_events: z.number(),
      lag_seconds: z.number(),
      dead_letters: z.object({
        count: z.number().int(),
        latest: z.array(z.record(z.string(), z.unknown())),
        how_to_retry: z.string(),
      }),
      rebuild: z.object({ running: z.boolean(), checkpoint: z.string().nullable(), lag_events: z.number() }),
    }),
  ),
});

export const health = z.object({ status: z.literal("ok") });
export const readiness = z.object({
  status: z.literal("ready"),
  database: z.literal("ok"),
  event_store: z.literal("ok"),
  kafka: z.record(z.string(), z.unknown()).optional(),
});
