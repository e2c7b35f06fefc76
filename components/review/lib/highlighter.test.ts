import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { highlightLine } from "./highlighter";
import { languageFor } from "./language";

const html = (lang: string | null, text: string) => renderToStaticMarkup(createElement("code", null, highlightLine(lang, text)));

describe("languageFor", () => {
  it("picks grammars by extension and by well-known names", () => {
    expect(languageFor("src/app.tsx")).toBe("typescript");
    expect(languageFor("a/b/Dockerfile")).toBe("dockerfile");
    expect(languageFor("Makefile")).toBe("makefile");
    expect(languageFor("notes.txt")).toBeNull();
    expect(languageFor(".bashrc")).toBeNull();
  });
});

describe("highlightLine", () => {
  it("colors tokens with theme classes instead of highlight.js ones", () => {
    const out = html("typescript", "const x = 'hi'; // note");
    expect(out).toContain("text-rose-700");
    expect(out).toContain("italic");
    expect(out).not.toContain("hljs-");
  });

  it("renders hostile code as text, never as markup", () => {
    const code = `<script>alert(1)</script><img src=x onerror=alert(2)>`;
    for (const lang of ["xml", "javascript", null]) {
      const out = html(lang, code);
      expect(out).not.toMatch(/<script|<img/);
      expect(out.replace(/<[^>]+>/g, "")).toBe("&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;");
    }
  });

  it("leaves unknown languages and very long lines plain", () => {
    expect(highlightLine("cobol", "MOVE A TO B")).toBe("MOVE A TO B");
    const long = "x".repeat(5000);
    expect(highlightLine("javascript", long)).toBe(long);
  });
});
