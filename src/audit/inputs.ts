import { z } from "zod";
import { uuidField } from "../commands/fields";

const position = z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const instant = z.iso
  .datetime({ offset: true, message: "must be an ISO 8601 date-time" })
  .transform((s) => new Date(s));

const page = {
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  after: z
    .string()
    .regex(/^\d{1,20}\.\d{1,20}$/, "must be the `next` cursor of a previous page")
    .optional(),
  format: z.enum(["json", "ndjson"]).default("json"),
};

export const streamEventsInput = z.object({ id: uuidField, ...page });

export const logEventsInput = z
  .object({
    ...page,
    from_position: position.optional(),
    to_position: position.optional(),
    from_time: instant.optional(),
    to_time: instant.optional(),
  })
  .superRefine((v, ctx) => {
    if (v.from_position !== undefined && v.to_position !== undefined && v.from_position > v.to_position)
      ctx.addIssue({ code: "custom", path: ["to_position"], message: "must not be before from_position" });
    if (v.from_time && v.to_time && v.from_time > v.to_time)
      ctx.addIssue({ code: "custom", path: ["to_time"], message: "must not be before from_time" });
  });

export const stateInput = z
  .object({ id: uuidField, at: instant.optional(), position: position.optional() })
  .superRefine((v, ctx) => {
    if ((v.at === undefined) === (v.position === undefined))
      ctx.addIssue({ code: "custom", path: ["at"], message: "give exactly one of at (a time) or position" });
  });

export const verifyInput = z.object({ stream: z.string().min(1).max(300).optional() });
