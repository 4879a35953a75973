/** The languages the API answers in; Indonesian is the portal's and the default. */
export type Language = "id" | "en";
export const DEFAULT_LANGUAGE: Language = "id";

/**
 * The best language for an Accept-Language header (RFC 9110 §12.5.4): the supported tag with the highest
 * q-value, ties going to the earlier one; a region (`en-US`, `id-ID`) counts as its language; `*` is the default.
 */
export function negotiateLanguage(header: string | undefined): Language {
  if (header === undefined || header.trim() === "") return DEFAULT_LANGUAGE;
  let best: { language: Language; q: number } | null = null;
  for (const part of header.split(",")) {
    const [rawTag = "", ...params] = part.trim().split(";");
    const tag = rawTag.trim().toLowerCase();
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
    const q = qParam === undefined ? 1 : Number(qParam.slice(2));
    if (!Number.isFinite(q) || q <= 0) continue;
    const primary = tag.split("-")[0];
    const language: Language | null =
      primary === "en"
        ? "en"
        : primary === "id" || primary === "in"
          ? "id"
          : tag === "*"
            ? DEFAULT_LANGUAGE
            : null;
    if (language !== null && (best === null || q > best.q)) best = { language, q };
  }
  return best?.language ?? DEFAULT_LANGUAGE;
}
