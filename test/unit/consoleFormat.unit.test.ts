import { clock, dayLabel, elapsed, initials, preview, visitorName } from "../../web/console/format";
import { translator } from "../../web/console/i18n";

const id = translator("id");
const en = translator("en");
const at = (iso: string) => Date.parse(iso);

describe("the console's names and times", () => {
  test("a visitor is the contact's name, else Pengunjung / Visitor — never You", () => {
    expect(visitorName(id, "Siti Rahma")).toBe("Siti Rahma");
    expect(visitorName(id, null)).toBe("Pengunjung");
    expect(visitorName(en, "   ")).toBe("Visitor");
    expect(visitorName(en, undefined)).not.toBe(en("you"));
  });

  test("waiting times are short and in the chosen language", () => {
    const now = at("2026-01-02T10:00:00Z");
    expect(elapsed(id, "2026-01-02T09:59:30Z", now)).toBe("baru saja");
    expect(elapsed(en, "2026-01-02T09:55:00Z", now)).toBe("5 min");
    expect(elapsed(id, "2026-01-02T07:00:00Z", now)).toBe("3 jam");
    expect(elapsed(en, "2025-12-30T10:00:00Z", now)).toBe("3 d");
  });

  test("day separators say today and yesterday", () => {
    const now = new Date(2026, 0, 2, 12, 0).getTime();
    expect(dayLabel(id, "id", new Date(2026, 0, 2, 8, 0).toISOString(), now)).toBe("Hari ini");
    expect(dayLabel(en, "en", new Date(2026, 0, 1, 23, 0).toISOString(), now)).toBe("Yesterday");
    expect(dayLabel(en, "en", new Date(2025, 11, 25, 9, 0).toISOString(), now)).toContain("2025");
    expect(clock("en", new Date(2026, 0, 2, 14, 5).toISOString())).toBe("14:05");
  });

  test("initials and previews", () => {
    expect(initials("Siti Rahma Dewi")).toBe("SD");
    expect(initials("budi")).toBe("B");
    expect(initials("")).toBe("?");
    expect(preview("Halo,\n\n  saya   butuh bantuan")).toBe("Halo, saya butuh bantuan");
    expect(preview("x".repeat(100), 10)).toBe(`${"x".repeat(9)}…`);
  });

  test("placeholders are filled; both catalogues have every key", () => {
    expect(id("typing", { name: "Siti" })).toBe("Siti sedang mengetik…");
    expect(en("agent_load", { status: en("available"), n: 2 })).toBe("Available · 2 active chats");
  });
});
