import { describe, expect, it } from "vitest";
import { highlightPieces } from "./highlight";

const join = (ps: { text: string }[]) => ps.map((p) => p.text).join("");

describe("highlightPieces", () => {
  it("marks each word, case-insensitively, and keeps the text whole", () => {
    const text = "The Flaky test failed; flaky again";
    const ps = highlightPieces(text, "flaky failed");
    expect(join(ps)).toBe(text);
    expect(ps.filter((p) => p.hit).map((p) => p.text)).toEqual(["Flaky", "failed", "flaky"]);
  });

  it("treats markup and regex characters as text", () => {
    const text = '<img src=x onerror="alert(1)"> (a+b)';
    const ps = highlightPieces(text, "(a+b) <img");
    expect(join(ps)).toBe(text);
    expect(ps.filter((p) => p.hit).map((p) => p.text)).toEqual(["<img", "(a+b)"]);
  });

  it("ignores one-letter words and quotes", () => {
    expect(highlightPieces("a quoted phrase", 'a "quoted"')).toEqual([
      { text: "a ", hit: false },
      { text: "quoted", hit: true },
      { text: " phrase", hit: false },
    ]);
    expect(highlightPieces("plain", "")).toEqual([{ text: "plain", hit: false }]);
  });
});
