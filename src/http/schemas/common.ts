import { z } from "zod";

/** Every error answer: the message in the caller's language, a stable code, and for bad input the fields. */
export const errorBody = z
  .object({
    error: z
      .string()
      .describe("What went wrong, in the language Accept-Language chose (Indonesian by default)"),
    code: z.string().describe("Stable, language-free code to branch on"),
    details: z
      .array(z.object({ field: z.string(), code: z.string(), message: z.string() }))
      .optional()
      .describe("For 400: each invalid field"),
  })
  .catchall(z.unknown());

const STANDARD: Record<number, string> = {
  400: "Invalid input: `details` names each field",
  401: "No credential, or one that proves nothing",
  403: "A proven caller that may not do this",
  404: "Not found (or not the caller's)",
  409: "Conflicts with the current state",
  410: "The chat user's personal data was erased: nothing more is recorded for them (`data_subject_erased`)",
  413: "Body over 64 kB",
  429: "Over a rate limit (see Retry-After)",
  500: "Internal error (no details are given)",
  503: "Not ready",
};

/** Error responses with their standard descriptions, for a route's `responses`. */
export function errors(
  ...statuses: number[]
): Record<number, { description: string; schema: typeof errorBody }> {
  return Object.fromEntries(
    statuses.map((s) => [s, { description: STANDARD[s] ?? "Error", schema: errorBody }]),
  );
}

export const isoTime = z.string().describe("ISO 8601 UTC instant");
export const uuid = z.string().describe("UUID");
