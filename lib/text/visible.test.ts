import { describe, expect, it } from "vitest";
import { terminalText, visibleJson, visibleText } from "./visible";

describe("visible text", () => {
  it("shows control characters as pictures and keeps tabs, newlines and U+FFFD", () => {
    expect(visibleText("a\0b\x07c\x1b[2Jd\te\nf\uFFFDg\x7f")).toBe("a␀b␇c␛[2Jd\te\nf\uFFFDg␡");
    expect(visibleText("crlf\r\nlone\rcr")).toBe("crlf\nlone␍cr");
    expect(visibleText("c1:\x9b31m")).toBe("c1:\uFFFD31m");
  });

  it("replaces lone surrogates and keeps pairs", () => {
    expect(visibleText("ok😀 \uD83D x \uDE00 end\uD83D")).toBe("ok😀 \uFFFD x \uFFFD end\uFFFD");
  });

  it("returns clean text unchanged", () => {
    const s = "plain text, ünïcödé, 日本語\n\ttabbed";
    expect(visibleText(s)).toBe(s);
  });

  it("drops colours in terminal output but shows other escapes", () => {
    expect(terminalText("\x1b[1;31mred\x1b[0m \x1b]0;title\x07done\r\n50%\r100%")).toBe("red ␛]0;title␇done\n50%\n100%");
    expect(terminalText("a\0b")).toBe("a␀b");
  });

  it("cleans every string of a JSON value", () => {
    expect(visibleJson({ path: "evil\x1b[31m.txt", n: 1, list: ["\0", null] })).toEqual({ path: "evil␛[31m.txt", n: 1, list: ["␀", null] });
  });
});
