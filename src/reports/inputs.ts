import { z } from "zod";
import { uuidField } from "../commands/fields";
import { isKnownZone, MAX_RANGE_DAYS, seriesMetrics } from "./figures";

const instant = z.iso
  .datetime({ offset: true, message: "must be an ISO 8601 date-time" })
  .transform((s) => new Date(s));

const DAY_MS = 86_400_000;

/** A report's period `[from, to)` (instants with an offset) and the zone its days and hours are read in. */
const period = {
  from: instant,
  to: instant,
  tz: z
    .string()
    .max(64)
    .refine(isKnownZone, "must be an IANA time zone such as Asia/Jakarta")
    .default("Asia/Jakarta"),
};

function checkRange(v: { from: Date; to: Date }, ctx: z.RefinementCtx) {
  // A field that failed its own check arrives unparsed (zod runs refinements after non-fatal issues).
  if (!(v.from instanceof Date) || !(v.to instanceof Date)) return;
  if (v.from > v.to) ctx.addIssue({ code: "custom", path: ["to"], message: "must not be before from" });
  else if (v.to.getTime() - v.from.getTime() > MAX_RANGE_DAYS * DAY_MS)
    ctx.addIssue({
      code: "custom",
      path: ["to"],
      message: "the range from from to to must be at most 366 days",
    });
}

const filters = {
  agent_id: uuidField.optional(),
  /** Accepted; not applied until teams exist. */
  team_id: uuidField.optional(),
  /** Accepted; equals wall time until teams have business hours. */
  business_hours: z.enum(["true", "false"]).default("false"),
};

export const summaryInput = z.object({ ...period, ...filters }).superRefine(checkRange);
export const timeseriesInput = z
  .object({
    ...period,
    ...filters,
    metric: z.enum(seriesMetrics),
    interval: z.enum(["hour", "day", "week"]).default("day"),
  })
  .superRefine(checkRange);
export const agentsInput = z.object({ ...period }).superRefine(checkRange);
export const sessionsInput = z
  .object({ ...period, agent_id: uuidField.optional(), format: z.enum(["csv"]).default("csv") })
  .superRefine(checkRange);

export type SummaryInput = z.infer<typeof summaryInput>;
export type TimeseriesInput = z.infer<typeof timeseriesInput>;
