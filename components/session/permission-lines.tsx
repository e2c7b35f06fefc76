"use client";
// Permissions in the transcript besides approvals: a mode change as a small line, and a hook
// that blocked a call or failed as a compact block with its output folded.
import { memo, useState } from "react";
import type { PermissionMode } from "../../lib/protocol/permissions";
import type { HookItem, ModeItem } from "../lib/transcript";
import { Tag } from "../tool-call";
import { FoldBlock } from "./fold-block";

export const MODE_WORDS: Record<PermissionMode, { label: string; hint: string }> = {
  auto: { label: "auto", hint: "runs what the rules allow without asking" },
  ask: { label: "ask", hint: "asks a person before commands and file changes outside the allow rules" },
  plan: { label: "plan", hint: "reads and plans only; a person approves the plan before it changes anything" },
};

export function ModeLine({ item }: { item: ModeItem }) {
  return (
    <div data-testid="mode-event" data-mode={item.mode} className="flex items-center gap-2 text-[11px] text-muted">
      <span className="h-px flex-1 bg-line" />
      <span>
        {item.by ? `${item.by} switched` : "switched"} to <span className="font-medium text-fg">{MODE_WORDS[item.mode]?.label ?? item.mode}</span> mode
      </span>
      <span className="h-px flex-1 bg-line" />
    </div>
  );
}

const HOOK_NAMES = { pre_tool: "pre-tool hook", post_tool: "post-tool hook", stop: "stop hook" } as const;

export const HookBlock = memo(function HookBlock({ item }: { item: HookItem }) {
  const [open, setOpen] = useState(false);
  const failed = item.blocked || (item.exitCode !== null && item.exitCode !== 0);
  return (
    <FoldBlock
      testId="hook-event"
      data={{ hook: item.hook, blocked: item.blocked }}
      border={item.blocked ? "border-amber-500/50" : "border-line"}
      open={open}
      onToggle={() => setOpen(!open)}
      toggleTestId="hook-toggle"
      wrap
      header={
        <>
          <span className="font-semibold">{HOOK_NAMES[item.hook] ?? item.hook}</span>
          <code className="min-w-0 flex-1 truncate font-mono text-muted" title={item.command} data-testid="hook-command">
            {item.command}
          </code>
          <span className="flex shrink-0 items-center gap-2">
            {item.blocked && (
              <span data-testid="hook-blocked" className="rounded bg-amber-500/20 px-1.5 py-px text-[11px] font-medium text-amber-800 dark:text-amber-300">
                blocked the call
              </span>
            )}
            <Tag tone={failed ? "red" : "green"} testId="hook-exit">
              {item.exitCode === null ? "no exit code" : `exit ${item.exitCode}`}
            </Tag>
          </span>
        </>
      }
    >
      {open && (
        <pre
          data-testid="hook-output"
          tabIndex={0}
          aria-label="Hook output"
          className="max-h-64 overflow-auto border-t border-line bg-sunken px-3 py-1.5 font-mono text-xs whitespace-pre-wrap break-all"
        >
          {item.output || "(no output)"}
        </pre>
      )}
    </FoldBlock>
  );
});
