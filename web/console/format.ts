// Pure helpers for times and names (no DOM): unit-tested in test/unit/consoleFormat.unit.test.ts.
import type { Lang, T } from "./i18n";

/** A short elapsed time: "just now", "5 min", "2 h", "3 d". */
export function elapsed(t: T, fromIso: string, now: number): string {
  const minutes = Math.floor((now - Date.parse(fromIso)) / 60_000);
  if (minutes < 1) return t("just_now");
  if (minutes < 60) return t("minutes", { n: minutes });
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return t("hours", { n: hours });
  return t("days", { n: Math.floor(hours / 24) });
}

const locale = (lang: Lang) => (lang === "id" ? "id-ID" : "en-GB");

/** The local time of day, e.g. 14.05 / 14:05. */
export function clock(lang: Lang, iso: string): string {
  return new Date(iso).toLocaleTimeString(locale(lang), { hour: "2-digit", minute: "2-digit" });
}

/** A day label for separators: Today, Yesterday, or the date. */
export function dayLabel(t: T, lang: Lang, iso: string, now: number): string {
  const day = new Date(iso);
  const today = new Date(now);
  const startOf = (d: Date) => new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
  const diff = Math.round((startOf(today) - startOf(day)) / 86_400_000);
  if (diff === 0) return t("today");
  if (diff === 1) return t("yesterday");
  return day.toLocaleDateString(locale(lang), { day: "numeric", month: "long", year: "numeric" });
}

/** Date and time, for lists of closed and earlier chats. */
export function dateTime(lang: Lang, iso: string): string {
  return new Date(iso).toLocaleString(locale(lang), {
    day: "numeric",
    month: "short",
    hour: "2-digit",
    minute: "2-digit",
  });
}

/** Who a visitor is shown as: the contact's name, else "Visitor" — never "You" (that is the agent). */
export function visitorName(t: T, contactName: string | null | undefined): string {
  const name = contactName?.trim();
  return name ? name : t("visitor");
}

/** Up to two initials for an avatar. */
export function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  const letters = parts.length > 1 ? [parts[0], parts[parts.length - 1]] : [parts[0] ?? "?"];
  return letters
    .map((p) => [...(p ?? "")][0] ?? "")
    .join("")
    .toUpperCase();
}

/** A one-line preview of a message body. */
export function preview(body: string, max = 80): string {
  const line = body.replace(/\s+/g, " ").trim();
  return [...line].length > max ? `${[...line].slice(0, max - 1).join("")}…` : line;
}
