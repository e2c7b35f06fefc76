// Agent text as markdown, safely: no rehype-raw, so raw HTML stays text; react-markdown's default
// urlTransform blanks unsafe URLs (javascript:, data:...), and a blanked link renders as plain
// text so nothing unsafe is ever clickable. Images are shown as links: agent output should not
// make the browser fetch arbitrary URLs.
import { memo } from "react";
import Markdown, { type Components } from "react-markdown";
import remarkBreaks from "remark-breaks";

const components: Components = {
  a: ({ href, children }) =>
    href ? (
      <a href={href} target="_blank" rel="noopener noreferrer nofollow">
        {children}
      </a>
    ) : (
      <span>{children}</span>
    ),
  img: ({ src, alt }) =>
    typeof src === "string" && src ? (
      <a href={src} target="_blank" rel="noopener noreferrer nofollow">
        [image: {alt || src}]
      </a>
    ) : (
      <span>[image: {alt}]</span>
    ),
};

// A person's message keeps the line breaks they typed (markdown would join the lines).
const typed = [remarkBreaks];

export const MarkdownText = memo(function MarkdownText({ text, breaks = false }: { text: string; breaks?: boolean }) {
  return (
    <div className="md break-words">
      <Markdown components={components} remarkPlugins={breaks ? typed : undefined}>
        {text}
      </Markdown>
    </div>
  );
});
