"use client";
// The live terminal of one tool call. It renders only the bounded tail the transcript state
// holds; stderr is tinted.
import { memo } from "react";
import { cleanTerminalText, type OutputBuffer } from "./lib/output-buffer";
import { formatBytes } from "./lib/format";
import { useStickToBottom } from "./lib/use-stick-to-bottom";

const FALLBACK_CAP = 200_000;

interface Props {
  output: OutputBuffer;
  /** What the model saw, for tools that stream nothing (file reads and edits). */
  resultText?: string;
  /** The terminal's accessible name (the setup block reuses this view). */
  label?: string;
  testId?: string;
}

export const ToolOutput = memo(function ToolOutput({ output, resultText, label = "Tool output", testId = "tool-output" }: Props) {
  const { ref, onScroll } = useStickToBottom<HTMLPreElement>(output);
  const streamed = output.chunks.length > 0;
  const fallback = !streamed && resultText ? cleanTerminalText(resultText).slice(-FALLBACK_CAP) : "";

  return (
    <div data-testid={testId} className="border-t border-line bg-term text-term-fg">
      {output.droppedBytes > 0 && (
        <p data-testid="output-truncated-notice" className="border-b border-white/10 px-3 py-1 text-xs text-zinc-400">
          {output.droppedBytes.toLocaleString("en-US")} earlier bytes not shown ({formatBytes(output.droppedBytes)}; the full
          output is kept in the event log)
        </p>
      )}
      <pre
        ref={ref}
        onScroll={onScroll}
        tabIndex={0}
        aria-label={label}
        className="max-h-96 overflow-auto px-3 py-2 font-mono text-xs leading-5 whitespace-pre-wrap break-all"
      >
        {streamed
          ? output.chunks.map((c) =>
              c.stream === "stderr" ? (
                <span key={c.id} data-stream="stderr" className="text-red-300">
                  {c.text}
                </span>
              ) : (
                <span key={c.id}>{c.text}</span>
              ),
            )
          : fallback || <span className="text-zinc-500">(no output)</span>}
      </pre>
    </div>
  );
});
