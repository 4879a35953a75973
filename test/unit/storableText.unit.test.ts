import { unstorableText } from "../../src/http/storableText";

describe("text no column can store", () => {
  test("names each field holding NUL or a lone surrogate, nested and in arrays, keys included", () => {
    expect(
      unstorableText({
        ok: "Halo 😀 \t\n",
        topic: "a\u0000b",
        contact: { name: "\ud800", list: ["fine", "x\u0000"] },
        "bad\u0000key": 1,
        "\udfffkey": 2,
        n: 5,
        nothing: null,
      }),
    ).toEqual([
      { field: "topic", code: "field_nul" },
      { field: "contact.name", code: "field_unicode" },
      { field: "contact.list.1", code: "field_nul" },
      { field: "bad\\u0000key", code: "field_nul" },
      { field: "\ufffdkey", code: "field_unicode" },
    ]);
  });

  test("well-formed text, numbers and empty values pass", () => {
    expect(unstorableText({ a: "", b: [1, true, null], c: { d: "ok" } })).toEqual([]);
    expect(unstorableText(undefined)).toEqual([]);
    expect(unstorableText("\u0000")).toEqual([{ field: "body", code: "field_nul" }]);
  });
});
