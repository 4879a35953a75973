// Language helpers shared by the browser pages: Indonesian first (the portal's users), English as the alternative.

export type Lang = "id" | "en";

/** The first candidate that names a language we speak ("en-US" → en, "id"/"in" → id); else Indonesian. */
export function pickLanguage(...candidates: readonly (string | null | undefined)[]): Lang {
  for (const c of candidates) {
    const tag = (c ?? "").trim().toLowerCase();
    if (tag.startsWith("en")) return "en";
    if (tag.startsWith("id") || tag.startsWith("in")) return "id";
  }
  return "id";
}

export type Dictionary<K extends string> = Readonly<Record<Lang, Readonly<Record<K, string>>>>;

/** `t(lang, key, {name})`: the text in that language with `{name}` placeholders filled. */
export function createTranslator<K extends string>(dictionary: Dictionary<K>) {
  return (lang: Lang, key: K, params: Readonly<Record<string, string | number>> = {}): string =>
    dictionary[lang][key].replace(/\{(\w+)\}/g, (whole, name: string) =>
      params[name] === undefined ? whole : String(params[name]),
    );
}

const timeFormats = new Map<Lang, Intl.DateTimeFormat>();

/** A time of day in the visitor's own time zone (14.05 / 14:05). */
export function formatTime(iso: string, lang: Lang): string {
  let format = timeFormats.get(lang);
  if (!format) {
    format = new Intl.DateTimeFormat(lang === "id" ? "id-ID" : "en-GB", {
      hour: "2-digit",
      minute: "2-digit",
    });
    timeFormats.set(lang, format);
  }
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? "" : format.format(date);
}
