import type { parsePhoneNumberFromString } from "libphonenumber-js/max";
import { z } from "zod";

/**
 * What the refinements below check, as JSON Schema patterns (ECMA-262), so the OpenAPI document carries them and
 * a client generated from it refuses what the server refuses: no NUL; not blank (a non-space somewhere).
 */
export const NO_NUL_PATTERN = "^[^\\u0000]*$";
export const NOT_BLANK_PATTERN = "^(?=[\\s\\S]*\\S)[^\\u0000]*$";

/** Text that Postgres and JSON can store and give back byte for byte: no NUL, no lone surrogate. */
export function storableText(max: number) {
  return z
    .string()
    .max(max, `must be at most ${max} characters`)
    .refine((s) => !s.includes("\u0000"), "must not contain NUL characters")
    .refine((s) => s.isWellFormed(), "must be well-formed Unicode")
    .meta({ pattern: NO_NUL_PATTERN });
}

export function requiredText(max: number) {
  return storableText(max)
    .refine((s) => s.trim().length > 0, "is required")
    .meta({ minLength: 1, pattern: NOT_BLANK_PATTERN });
}

export const emailField = z.email("must be a valid email address").max(255, "must be at most 255 characters");
export const ossUserIdField = requiredText(255);
export const uuidField = z.uuid("must be a UUID").transform((s) => s.toLowerCase());

let parsePhone: typeof parsePhoneNumberFromString | undefined;

/** libphonenumber's full metadata, loaded on the first phone number: CLI commands that see none start faster. */
function phoneParser(): typeof parsePhoneNumberFromString {
  parsePhone ??= (require("libphonenumber-js/max") as typeof import("libphonenumber-js/max"))
    .parsePhoneNumberFromString;
  return parsePhone;
}

/** A phone number in international form or Indonesian local form (08…, 62…, 8…), normalised to E.164 (+62…). */
export const phoneField = storableText(50)
  .meta({
    minLength: 1,
    pattern: NOT_BLANK_PATTERN,
    description: "A phone number: international (+62…) or Indonesian local (08…); stored as E.164",
  })
  .transform((raw, ctx) => {
    const parsed = phoneParser()(raw, "ID");
    if (!parsed?.isValid()) {
      ctx.addIssue({
        code: "custom",
        message: "must be a valid phone number, e.g. +6281234567890 or 081234567890",
      });
      return z.NEVER;
    }
    return parsed.number;
  });
