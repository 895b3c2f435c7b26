// Free text refuses characters that draw as nothing (hole 8): checked on the shared textSchema that
// every stored name, note and reason goes through; tests/*/bad-input.test.ts post them to every form.
import { describe, expect, it } from "vitest";
import { textSchema } from "~/platform/validation.server";

const name = textSchema("姓名", 30);
const message = (s: string) => {
  const r = name.safeParse(s);
  return r.success ? null : r.error.issues[0].message;
};
const hex = (c: string) => `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`;

describe("invisible characters in free text", () => {
  const refused = [
    ..."\u202A\u202B\u202C\u202D\u202E", // bidi embeddings and overrides
    ..."\u2066\u2067\u2068\u2069", // bidi isolates
    ..."\u200E\u200F\u061C", // direction marks
    ..."\u200B\u200C\u200D\u2060\uFEFF", // zero-width characters
    ..."\u00AD\u180E\u2061\u206F\uFFF9", // other format characters (Cf)
    "\u{E0041}", // a tag character
    ..."\u0080\u0085\u009F", // C1 controls
    ..."\u2028\u2029", // line and paragraph separators
    ..."\u115F\u3164\uFFA0", // Hangul fillers: a name that looks blank
  ];
  it.each(refused.map((c) => [hex(c), c]))("%s inside, alone or at either end is refused with the Chinese message", (_, c) => {
    for (const s of [`王${c}芳`, c, `${c}王芳`, `王芳${c}`]) expect(message(s), JSON.stringify(s)).toBe("姓名不能包含看不见的特殊字符，请删掉后重新输入");
  });

  it("keeps what villagers type: emoji with variation selectors and skin tones, full-width and no-break spaces, accents", () => {
    for (const s of ["❤️", "☺︎", "👍🏽", "王　芳", "王\u00A0芳", "Zoë", "李·四"]) expect(message(s), s).toBeNull();
  });

  it("keeps the existing answers for control characters, markup and empty text", () => {
    expect(message("王\n芳")).toBe("姓名包含无法识别的字符");
    expect(message("<b>")).toBe("姓名不能包含 < 或 > 符号");
    expect(message("   ")).toBe("请填写姓名");
  });
});

describe("line breaks", () => {
  it("a multi-line box keeps the villager's Enter (a browser sends \\r\\n), counted as one character", () => {
    const note = textSchema("说明", 5, false, true);
    expect(note.parse("扫地\r\n擦窗")).toBe("扫地\n擦窗");
    expect(note.safeParse("扫地\r\n擦窗户").success).toBe(false); // 6 characters with the break
  });

  it("a one-line field still refuses a line break, and a multi-line one every other control", () => {
    expect(textSchema("姓名", 20).safeParse("张\n三").success).toBe(false);
    expect(textSchema("说明", 200, false, true).safeParse("扫地\u0007").success).toBe(false);
    expect(textSchema("说明", 200, false, true).safeParse("扫地\t擦窗").success).toBe(false);
  });
});
