import { z } from "zod";
import { isoTime, uuid } from "./common";

const timeFigure = z.object({
  count: z.number().int().describe("sessions that have the figure"),
  median_s: z.number().nullable().describe("nearest-rank median, seconds"),
  p90_s: z.number().nullable().describe("nearest-rank 90th percentile, seconds"),
});

const figures = {
  sessions_started: z.number().int(),
  sessions_closed: z.number().int(),
  abandoned: z.number().int(),
  no_response: z.number().int(),
  wait_s: timeFigure,
  first_response_s: timeFigure,
  handle_s: timeFigure,
  csat_count: z.number().int(),
  csat_avg: z.number().nullable(),
  csat_distribution: z.object({
    "1": z.number().int(),
    "2": z.number().int(),
    "3": z.number().int(),
    "4": z.number().int(),
    "5": z.number().int(),
  }),
  messages_visitor: z.number().int(),
  messages_agent: z.number().int(),
  transfers: z.number().int(),
};

const period = { from: isoTime, to: isoTime, tz: z.string() };

export const reportSummary = z.object({
  ...period,
  agent_id: uuid.nullable(),
  team_id: uuid.nullable().describe("echoed; not applied until teams exist"),
  business_hours: z.boolean().describe("echoed; equals wall time until teams have business hours"),
  ...figures,
});

export const reportTimeseries = z.object({
  ...period,
  metric: z.string(),
  interval: z.enum(["hour", "day", "week"]),
  buckets: z.array(
    z.object({
      start: isoTime.describe("the bucket's start (UTC)"),
      local: z.string().describe("the bucket's start as wall time in tz, YYYY-MM-DDTHH:MI"),
      value: z.number().nullable(),
    }),
  ),
});

export const reportAgents = z.object({
  ...period,
  agents: z.array(z.object({ agent_id: uuid, agent_name: z.string().nullable(), ...figures })),
});
