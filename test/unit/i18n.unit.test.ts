import { z } from "zod";
import { logEventsInput, stateInput } from "../../src/audit/inputs";
import { setContactInput, startChatInput } from "../../src/http/schemas/visitor";
import { catalogue, fieldProblems, type MessageCode, negotiateLanguage, translate } from "../../src/i18n";
import { historyInput } from "../../src/queries/history";

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe("the message catalogue", () => {
  test.each(Object.keys(catalogue) as MessageCode[])(
    "%s has both languages with the same placeholders",
    (code) => {
      const entry = catalogue[code];
      expect(entry.id.trim()).not.toBe("");
      expect(entry.en.trim()).not.toBe("");
      expect(entry.id).not.toBe(entry.en);
      expect(placeholders(entry.id)).toEqual(placeholders(entry.en));
    },
  );

  test("codes are language-free identifiers", () => {
    for (const code of Object.keys(catalogue)) expect(code).toMatch(/^[a-z][a-z0-9_]*$/);
  });

  test("translate fills parameters in either language", () => {
    expect(translate("en", "rate_limited_ip", { seconds: 7 })).toBe(
      "Too many requests from this address: try again in 7 s",
    );
    expect(translate("id", "rate_limited_ip", { seconds: 7 })).toBe(
      "Terlalu banyak permintaan dari alamat ini: coba lagi dalam 7 detik",
    );
  });
});

describe("Accept-Language negotiation", () => {
  test.each<[string | undefined, "id" | "en"]>([
    [undefined, "id"],
    ["", "id"],
    ["en", "en"],
    ["en-US,en;q=0.9", "en"],
    ["id-ID,id;q=0.9,en-US;q=0.8", "id"],
    ["fr-FR, en;q=0.5", "en"],
    ["fr, de", "id"],
    ["en;q=0.3, id;q=0.7", "id"],
    ["id;q=0, en", "en"],
    ["in", "id"],
    ["*", "id"],
    ["EN-gb", "en"],
    ["en;q=abc", "id"],
  ])("%p answers in %p", (header, language) => {
    expect(negotiateLanguage(header)).toBe(language);
  });
});

/** The problems of a parse that must fail. */
function problems(schema: z.ZodType, value: unknown) {
  const parsed = schema.safeParse(value, { reportInput: true });
  if (parsed.success) throw new Error("expected the parse to fail");
  return fieldProblems(parsed.error);
}

describe("validation problems", () => {
  const browser = "0b5f3f52-7f4e-4b8b-9d55-3c3c1f0a9a11";

  test("every custom message in the request schemas has a catalogue entry", () => {
    const all = [
      ...problems(startChatInput, { topic: "x" }),
      ...problems(startChatInput, { oss_user_id: "U1", topic: "x" }),
      ...problems(startChatInput, { browser_uuid: browser, topic: "  " }),
      ...problems(startChatInput, { browser_uuid: browser, topic: "a\u0000b" }),
      ...problems(startChatInput, { browser_uuid: browser, topic: "\ud800" }),
      ...problems(setContactInput, {
        session_id: browser,
        contact_name: "A",
        contact_email: "a@b.co",
        contact_phone: "12",
      }),
      ...problems(historyInput, {}),
      ...problems(logEventsInput, { from_position: 5, to_position: 1 }),
      ...problems(logEventsInput, { from_time: "2025-01-02T00:00:00Z", to_time: "2025-01-01T00:00:00Z" }),
      ...problems(stateInput, { id: browser }),
    ];
    expect(all.length).toBeGreaterThanOrEqual(10);
    for (const p of all) expect(p.code).not.toBe("field_invalid");
  });

  test("names the field and says what is wrong with it", () => {
    expect(
      problems(startChatInput, { browser_uuid: "nope", topic: "x".repeat(501), priority: "max" }),
    ).toEqual(
      expect.arrayContaining([
        { field: "browser_uuid", code: "field_uuid" },
        { field: "topic", code: "field_too_long", params: { maximum: "500" } },
        { field: "priority", code: "field_one_of", params: { values: "low, normal, high, urgent" } },
      ]),
    );
    expect(problems(setContactInput, { session_id: browser, contact_email: "x" })).toEqual(
      expect.arrayContaining([
        { field: "contact_name", code: "field_required" },
        { field: "contact_email", code: "field_email" },
      ]),
    );
    expect(problems(historyInput, { browser_uuid: browser, limit: "1.5" })).toEqual([
      { field: "limit", code: "field_not_integer" },
    ]);
    expect(problems(historyInput, { browser_uuid: browser, limit: "500" })).toEqual([
      { field: "limit", code: "field_too_big", params: { maximum: "100" } },
    ]);
    expect(problems(z.object({ a: z.string() }).strict(), { a: 1, b: 2 })).toEqual(
      expect.arrayContaining([
        { field: "a", code: "field_type", params: { expected: "string" } },
        { field: "body", code: "field_unknown", params: { keys: "b" } },
      ]),
    );
  });

  test("a custom message the catalogue does not hold still gets a translated generic text", () => {
    const schema = z.string().refine(() => false, "some text nobody translated");
    expect(problems(schema, "x")).toEqual([{ field: "body", code: "field_invalid" }]);
  });
});
