// The words a date field spells under its box: the box itself follows the phone's language.
import { describe, expect, it } from "vitest";
import { chineseDate, chineseMonth } from "~/ui/pickers";

describe("dates spelled in Chinese", () => {
  it("spells a day with its weekday, and a day with a time", () => {
    expect(chineseDate("2026-12-07")).toBe("2026年12月7日 星期一");
    expect(chineseDate("2026-03-08T09:30")).toBe("2026年3月8日 星期日 09:30");
  });
  it("spells a month", () => {
    expect(chineseMonth("2026-03")).toBe("2026年3月");
    expect(chineseMonth("2026-12")).toBe("2026年12月");
  });
  it("refuses what is not a date or a month", () => {
    expect(chineseDate("2026-02-30")).toBeNull();
    expect(chineseDate("")).toBeNull();
    expect(chineseMonth("2026-13")).toBeNull();
    expect(chineseMonth("2026-00")).toBeNull();
    expect(chineseMonth("2026-03-01")).toBeNull();
  });
});
