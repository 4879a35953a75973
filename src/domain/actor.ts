import { z } from "zod";

/** Who caused an event: an anonymous browser, an OSS user, a staff key, or the system. */
export const actorSchema = z.object({
  kind: z.enum(["anonymous", "oss_user", "staff", "system"]),
  id: z.string(),
});
export type Actor = z.infer<typeof actorSchema>;
