import type { Request, RequestHandler, Response } from "express";
import { type Language, type MessageCode, type MessageParams, negotiateLanguage, translate } from "../i18n";

/** Every answer depends on Accept-Language: say so to caches, and say which language was chosen. */
export const contentLanguage: RequestHandler = (req, res, next) => {
  const language = negotiateLanguage(req.get("accept-language"));
  res.locals.language = language;
  res.vary("Accept-Language");
  res.set("Content-Language", language);
  next();
};

/** The language of this request's answer (negotiated once by `contentLanguage`). */
export function languageOf(req: Request, res: Response): Language {
  return (res.locals.language as Language | undefined) ?? negotiateLanguage(req.get("accept-language"));
}

/** A catalogue message in this request's language. */
export function localize(
  req: Request,
  res: Response,
  code: MessageCode,
  params?: MessageParams,
  language: Language = languageOf(req, res),
): string {
  return translate(language, code, params);
}
