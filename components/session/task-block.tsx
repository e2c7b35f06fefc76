"use client";
// A `task` call: one block for the subagent it started, with its title, state, steps and tokens;
// its steps (children, rendered by the transcript) fold open below, live while it runs.
import { memo, useState, type ReactNode } from "react";
import { formatDuration, formatTokens } from "../lib/format";
import type { ToolItem, TranscriptItem } from "../lib/transcript";
import { Spinner } from "../spinner";
import { Tag } from "../tool-call";
import { FoldBlock } from "./fold-block";
import { taskInput, taskState } from "./task-nesting";

const STATE_TAG = { done: ["green", "done"], failed: ["red", "failed"], interrupted: ["gray", "interrupted"], awaiting_approval: ["amber", "waiting for approval"] } as const;

export const TaskBlock = memo(function TaskBlock({ item, steps, children }: { item: ToolItem; steps: readonly TranscriptItem[]; children: ReactNode }) {
  // Folded by default: the caller's report is what matters; the steps are there to check.
  const [open, setOpen] = useState(false);
  const state = taskState(item, steps);
  const { description, readOnly } = taskInput(item.input);
  const calls = steps.filter((s) => s.kind === "tool").length;
  const tokens = item.result?.tokens;
  return (
    <FoldBlock
      testId="task-block"
      data={{ "call-id": item.callId, state }}
      border="border-violet-500/40"
      open={open}
      onToggle={() => setOpen(!open)}
      toggleTestId="task-toggle"
      wrap
      header={
        <>
          <span className="font-mono font-semibold text-violet-700 dark:text-violet-300">subagent</span>
          <span className="min-w-0 flex-1 truncate font-medium" title={description} data-testid="task-description">
            {description}
          </span>
          {readOnly && <Tag tone="blue">read-only</Tag>}
          <span className="shrink-0 text-muted tabular-nums" data-testid="task-steps">
            {calls} {calls === 1 ? "step" : "steps"}
          </span>
          {tokens !== undefined && (
            <span className="shrink-0 text-muted tabular-nums" data-testid="task-tokens">
              {formatTokens(tokens)} tokens
            </span>
          )}
          {item.result && <span className="shrink-0 text-muted tabular-nums">{formatDuration(item.result.durationMs)}</span>}
          {state === "running" ? (
            <Spinner label="running" />
          ) : (
            <Tag tone={STATE_TAG[state][0]} testId="task-state">
              {STATE_TAG[state][1]}
            </Tag>
          )}
        </>
      }
    >
      {open && (
        <div data-testid="task-children" className="flex flex-col gap-3 border-t border-line py-3 pr-3 pl-4">
          {steps.length ? children : <p className="text-xs text-muted">No steps yet.</p>}
        </div>
      )}
      {!open && state === "failed" && item.result && (
        <p data-testid="task-failure" className="border-t border-line px-3 py-1.5 text-xs break-words whitespace-pre-wrap text-red-700 dark:text-red-300">
          {item.result.output.split("\n", 1)[0]}
        </p>
      )}
    </FoldBlock>
  );
});
