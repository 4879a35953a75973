import type { core } from "zod";
import type { MessageCode } from "./catalogue";
import type { MessageParams } from "./translate";
import { codeOfEnglish } from "./translate";

/** One invalid field of a request: its dotted path and what is wrong with it, as a catalogue code. */
export interface FieldProblem {
  readonly field: string;
  readonly code: MessageCode;
  readonly params?: MessageParams;
}

const FORMATS: Readonly<Record<string, MessageCode>> = {
  email: "field_email",
  uuid: "field_uuid",
  guid: "field_uuid",
  datetime: "field_datetime",
  url: "field_url",
};

const list = (values: readonly unknown[]) => values.map((v) => String(v)).join(", ");

/** What a zod issue says, as a catalogue code; the issue needs its `input` (parse with `reportInput`). */
export function issueMessage(issue: core.$ZodIssue): { code: MessageCode; params?: MessageParams } {
  switch (issue.code) {
    case "invalid_type":
      if (issue.input === undefined) return { code: "field_required" };
      if (issue.expected === "int") return { code: "field_not_integer" };
      return { code: "field_type", params: { expected: issue.expected } };
    case "too_big":
      return issue.origin === "string"
        ? { code: "field_too_long", params: { maximum: String(issue.maximum) } }
        : { code: "field_too_big", params: { maximum: String(issue.maximum) } };
    case "too_small":
      if (issue.origin === "string" && Number(issue.minimum) === 1) return { code: "field_required" };
      return issue.origin === "string"
        ? { code: "field_too_short", params: { minimum: String(issue.minimum) } }
        : { code: "field_too_small", params: { minimum: String(issue.minimum) } };
    case "invalid_format":
      return { code: FORMATS[issue.format] ?? "field_format" };
    case "invalid_value":
      return { code: "field_one_of", params: { values: list(issue.values) } };
    case "unrecognized_keys":
      return { code: "field_unknown", params: { keys: list(issue.keys) } };
    case "custom":
      // A refinement's message is fixed English text in a schema; the catalogue holds its translation.
      return { code: codeOfEnglish(issue.message, "field_invalid") };
    case "not_multiple_of":
    case "invalid_union":
    case "invalid_key":
    case "invalid_element":
      return { code: "field_invalid" };
    default: {
      const unknown: never = issue;
      return unknown;
    }
  }
}

/** The field problems of a failed parse; `prefix` names where the value came from (e.g. a header). */
export function fieldProblems(error: core.$ZodError, prefix?: string): FieldProblem[] {
  return error.issues.map((issue) => ({
    field: [prefix, ...issue.path.map(String)].filter((p) => p !== undefined && p !== "").join(".") || "body",
    ...issueMessage(issue),
  }));
}
