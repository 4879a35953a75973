import type { RequestHandler } from "express";
import type { FieldProblem } from "../i18n";
import { ValidationError } from "./errors";

/**
 * Text Postgres and JSON cannot keep as given, in any query parameter or body field (keys included): NUL, which
 * Postgres' text refuses (an error, not a value), and lone surrogates, which UTF-8 cannot encode. Found here once
 * for every route, so no field a schema forgot reaches a query as a 500.
 */
export function unstorableText(value: unknown, path: readonly string[] = [], found: FieldProblem[] = []) {
  const field = () => path.join(".") || "body";
  if (typeof value === "string") {
    if (value.includes("\u0000")) found.push({ field: field(), code: "field_nul" });
    else if (!value.isWellFormed()) found.push({ field: field(), code: "field_unicode" });
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => {
      unstorableText(item, [...path, String(i)], found);
    });
  } else if (typeof value === "object" && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      // A bad key is named as far as it can be shown.
      const name = [...path, key.replaceAll("\u0000", "\\u0000").toWellFormed()].join(".");
      if (key.includes("\u0000")) found.push({ field: name, code: "field_nul" });
      else if (!key.isWellFormed()) found.push({ field: name, code: "field_unicode" });
      else unstorableText(item, [...path, key], found);
    }
  }
  return found;
}

/** Refuses a request whose query or JSON body holds unstorable text: 400 naming each field. */
export const refuseUnstorableText: RequestHandler = (req, _res, next) => {
  const found = unstorableText(req.query);
  if (req.body !== undefined) unstorableText(req.body, [], found);
  next(found.length > 0 ? new ValidationError(found) : undefined);
};
