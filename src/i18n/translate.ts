import { catalogue, type MessageCode } from "./catalogue";
import type { Language } from "./language";

export type MessageParams = Readonly<Record<string, string | number>>;

/** The catalogue's text for a code in a language, with its `{name}` placeholders filled. */
export function translate(language: Language, code: MessageCode, params: MessageParams = {}): string {
  return catalogue[code][language].replace(/\{(\w+)\}/g, (whole, name: string) =>
    Object.hasOwn(params, name) ? String(params[name]) : whole,
  );
}

const byEnglish = new Map<string, MessageCode>(
  (Object.keys(catalogue) as MessageCode[]).map((code) => [catalogue[code].en, code]),
);

/**
 * The code of a fixed English text that the domain or a schema produced (domain errors and custom schema
 * messages are written in English), or `fallback` for a text the catalogue does not hold.
 */
export function codeOfEnglish(text: string, fallback: MessageCode): MessageCode {
  return byEnglish.get(text) ?? fallback;
}

/** A fixed English text in another language: the catalogue's translation, or the text itself if it has none. */
export function translateEnglish(language: Language, text: string): string {
  const code = byEnglish.get(text);
  return code === undefined ? text : translate(language, code);
}
