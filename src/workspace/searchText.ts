/**
 * The pure side of search: what a query asks for, and where a result's snippet matches. No I/O.
 */
export interface ParsedQuery {
  /** Exact phrases (in double quotes), matched word by word in order, stemmed. */
  readonly phrases: readonly string[];
  /** Words, stemmed in Indonesian and English; corrected against the index's words when unknown. */
  readonly words: readonly string[];
  /** Tokens with a digit or one of @ . + _ (a NIB, a phone number, part of an email): matched as substrings. */
  readonly identifiers: readonly string[];
}

const IDENTIFIER = /[0-9@.+_]/;

/** Splits a query into phrases, words and identifiers; lower-cased, each once, at most 12 parts. */
export function parseQuery(q: string): ParsedQuery {
  const phrases: string[] = [];
  const rest = q.replace(/"([^"]*)"/g, (_whole, phrase: string) => {
    const p = phrase.trim().toLowerCase();
    if (p) phrases.push(p);
    return " ";
  });
  const words: string[] = [];
  const identifiers: string[] = [];
  for (const raw of rest.toLowerCase().split(/\s+/)) {
    const token = raw.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, "");
    if (!token) continue;
    if (IDENTIFIER.test(token)) {
      if (token.length >= 3) identifiers.push(token);
    } else {
      // Letters only: other characters split words the way the text parser does.
      for (const w of token.split(/[^\p{L}\p{N}]+/u)) if (w) words.push(w);
    }
  }
  const once = (xs: string[]) => [...new Set(xs)];
  return {
    phrases: once(phrases).slice(0, 4),
    words: once(words).slice(0, 8),
    identifiers: once(identifiers).slice(0, 4),
  };
}

export interface Range {
  readonly start: number;
  readonly end: number;
}

/** The highlighted ranges of a text marked with START/STOP characters (as ts_headline marks it), in the unmarked text. */
export function markedRanges(marked: string, start: string, stop: string): Range[] {
  const ranges: Range[] = [];
  let offset = 0;
  let open = -1;
  for (const ch of marked) {
    if (ch === start) open = offset;
    else if (ch === stop) {
      if (open >= 0) ranges.push({ start: open, end: offset });
      open = -1;
    } else offset += ch.length;
  }
  return ranges;
}

/** Where each identifier occurs in a text (case-insensitive). */
export function substringRanges(text: string, needles: readonly string[]): Range[] {
  const lower = text.toLowerCase();
  const ranges: Range[] = [];
  for (const needle of needles) {
    for (let i = lower.indexOf(needle); i >= 0; i = lower.indexOf(needle, i + needle.length)) {
      ranges.push({ start: i, end: i + needle.length });
    }
  }
  return ranges;
}

/** Ranges sorted, overlapping ones joined. */
export function mergeRanges(ranges: readonly Range[]): Range[] {
  const sorted = [...ranges].sort((a, b) => a.start - b.start || a.end - b.end);
  const out: Range[] = [];
  for (const r of sorted) {
    const last = out.at(-1);
    if (last && r.start <= last.end)
      out[out.length - 1] = { start: last.start, end: Math.max(last.end, r.end) };
    else out.push(r);
  }
  return out;
}

/**
 * A window of a text around its first match, at most `width` characters, cut at spaces where it can be; the
 * ranges moved into the window (those outside it dropped). Plain text: never HTML.
 */
export function snippetOf(
  text: string,
  ranges: readonly Range[],
  width = 200,
): { snippet: string; ranges: Range[] } {
  const merged = mergeRanges(ranges);
  if (text.length <= width) return { snippet: text, ranges: merged };
  const first = merged[0]?.start ?? 0;
  let from = Math.max(0, Math.min(first - Math.floor(width / 3), text.length - width));
  if (from > 0) {
    const space = text.indexOf(" ", from);
    if (space >= 0 && space < first) from = space + 1;
  }
  let to = Math.min(text.length, from + width);
  if (to < text.length) {
    const space = text.lastIndexOf(" ", to);
    if (space > from && space > (merged[0]?.end ?? 0)) to = space;
  }
  const prefix = from > 0 ? "…" : "";
  const suffix = to < text.length ? "…" : "";
  const shift = prefix.length - from;
  const inside = merged
    .filter((r) => r.start >= from && r.end <= to)
    .map((r) => ({ start: r.start + shift, end: r.end + shift }));
  return { snippet: `${prefix}${text.slice(from, to)}${suffix}`, ranges: inside };
}

/** The opaque cursor of the next page: where the last result stood in the order. */
export interface SearchCursor {
  readonly score: string;
  readonly at: string;
  readonly id: string;
}

export function encodeCursor(cursor: SearchCursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString("base64url");
}

/** The cursor, or null when it is not one this service wrote. */
export function decodeCursor(text: string): SearchCursor | null {
  try {
    const value = JSON.parse(Buffer.from(text, "base64url").toString("utf8")) as Record<string, unknown>;
    const { score, at, id } = value;
    if (typeof score !== "string" || !/^\d+(\.\d+)?$/.test(score)) return null;
    if (typeof at !== "string" || Number.isNaN(Date.parse(at))) return null;
    if (typeof id !== "string" || !/^[0-9a-f-]{36}$/.test(id)) return null;
    return { score, at, id };
  } catch {
    return null;
  }
}
