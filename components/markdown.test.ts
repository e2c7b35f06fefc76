import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { MarkdownText } from "./markdown";

const html = (text: string) => renderToStaticMarkup(createElement(MarkdownText, { text }));

// .ts rather than .tsx: vitest.config.ts includes components/**/*.test.ts only.
describe("MarkdownText", () => {
  it("shows raw HTML as text instead of rendering it", () => {
    const out = html('Hello <script>alert(1)</script> <img src=x onerror="alert(2)">');
    expect(out).not.toContain("<script");
    expect(out).not.toContain("<img");
    expect(out).toContain("&lt;script&gt;");
  });

  it("does not make javascript: links clickable", () => {
    const out = html("[click](javascript:alert(1)) and [auto](JavaScript:void(0))");
    expect(out).not.toMatch(/href="javascript/i);
    expect(out).not.toContain("<a");
    expect(out).toContain("click");
  });

  it("adds rel to safe links", () => {
    const out = html("[docs](https://example.com/x)");
    expect(out).toContain('href="https://example.com/x"');
    expect(out).toContain('rel="noopener noreferrer nofollow"');
  });

  it("renders images as links, not <img>", () => {
    const out = html("![diagram](https://example.com/a.png)");
    expect(out).not.toContain("<img");
    expect(out).toContain("[image: diagram]");
  });
});
