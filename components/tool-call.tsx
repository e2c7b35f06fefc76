"use client";
// One tool call: a one-line header (name, input summary, state) that folds open onto its output,
// or, for a file edit, onto the change it made as a small diff.
import { memo, useMemo, useState, type ReactNode } from "react";
import { editDiff } from "./lib/edit-diff";
import { formatDuration } from "./lib/format";
import { isShellTool, summarizeToolInput } from "./lib/tools";
import type { ToolItem } from "./lib/transcript";
import { Spinner } from "./spinner";
import { EditCounts, ToolEditDiff } from "./tool-edit-diff";
import { ToolOutput } from "./tool-output";
import { FoldBlock } from "./session/fold-block";

export const ToolCall = memo(function ToolCall({ item }: { item: ToolItem }) {
  const [userOpen, setUserOpen] = useState<boolean | null>(null);
  const running = !item.result && !item.interrupted;
  const diff = useMemo(() => editDiff(item), [item]);
  // Edits show their diff, and shell calls open by themselves while they run; once the person
  // toggles, their choice holds.
  const open = userOpen ?? (diff !== null || (running && !item.awaitingApproval && isShellTool(item.name, item.input)));
  const summary = summarizeToolInput(item.name, item.input);

  return (
    <FoldBlock
      testId="tool-call"
      data={{ "call-id": item.callId, state: item.result ? "done" : item.interrupted ? "interrupted" : item.awaitingApproval ? "awaiting_approval" : "running" }}
      open={open}
      onToggle={() => setUserOpen(!open)}
      toggleTestId="tool-call-toggle"
      header={
        <>
          <span className="font-mono font-semibold" data-testid="tool-name">
            {item.name}
          </span>
          <span className="min-w-0 flex-1 truncate font-mono text-muted" title={summary} data-testid="tool-summary">
            {summary}
          </span>
          {diff && <EditCounts diff={diff} />}
          <ToolState item={item} />
        </>
      }
    >
      {open && (diff ? <ToolEditDiff diff={diff} /> : <ToolOutput output={item.output} resultText={item.result?.output} />)}
    </FoldBlock>
  );
});

function ToolState({ item }: { item: ToolItem }) {
  const r = item.result;
  if (!r) {
    if (item.interrupted) return <Tag tone="gray">interrupted</Tag>;
    if (item.awaitingApproval) return <Tag tone="amber" testId="tool-awaiting">waiting for approval</Tag>;
    return <Spinner label="running" />;
  }
  const failed = r.isError || (r.exitCode != null && r.exitCode !== 0);
  return (
    <span className="flex shrink-0 items-center gap-2" data-testid="tool-result">
      {r.truncated && <Tag tone="gray">truncated for model</Tag>}
      {r.exitCode != null ? (
        <Tag tone={failed ? "red" : "green"} testId="tool-exit-code">
          exit {r.exitCode}
        </Tag>
      ) : (
        <Tag tone={failed ? "red" : "green"} testId="tool-exit-code">
          {failed ? "error" : "ok"}
        </Tag>
      )}
      <span className="text-muted tabular-nums" data-testid="tool-duration">
        {formatDuration(r.durationMs)}
      </span>
    </span>
  );
}

const TONES = {
  red: "bg-red-500/15 text-red-700 dark:text-red-300",
  green: "bg-emerald-500/15 text-emerald-800 dark:text-emerald-300",
  gray: "bg-zinc-500/15 text-muted",
  blue: "bg-sky-500/15 text-sky-700 dark:text-sky-300",
  amber: "bg-amber-500/20 text-amber-800 dark:text-amber-300",
} as const;

/** A small status badge (tool results, setup outcomes). */
export function Tag({ tone, testId, children }: { tone: keyof typeof TONES; testId?: string; children: ReactNode }) {
  return (
    <span data-testid={testId} className={`rounded px-1.5 py-px text-[11px] font-medium ${TONES[tone]}`}>
      {children}
    </span>
  );
}
