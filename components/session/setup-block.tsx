"use client";
// The environment in the transcript: the setup phase as one block (its outcome, whose script,
// how long, its output in the same terminal view as a tool's), and the egress proxy's refusals
// as short amber lines.
import { memo, useState } from "react";
import { formatDuration } from "../lib/format";
import type { EgressItem, SetupItem } from "../lib/transcript";
import { Spinner } from "../spinner";
import { Tag } from "../tool-call";
import { ToolOutput } from "../tool-output";
import { FoldBlock } from "./fold-block";

const SOURCE = { team: "team script", repository: "repository's .dockside/setup.sh" } as const;

export const SetupBlock = memo(function SetupBlock({ item }: { item: SetupItem }) {
  const [userOpen, setUserOpen] = useState<boolean | null>(null);
  const running = item.state === "running" && !item.interrupted;
  const failed = item.state === "failed";
  // Open while it runs and when it failed; once the person toggles, their choice holds.
  const open = userOpen ?? (running || failed);
  const state = item.interrupted ? "interrupted" : item.state;

  return (
    <FoldBlock
      testId="setup-block"
      data={{ state }}
      border={failed ? "border-red-500/40" : "border-line"}
      open={open}
      onToggle={() => setUserOpen(!open)}
      toggleTestId="setup-toggle"
      wrap
      header={
        <>
          <span className="font-semibold">Setup</span>
          <span className="min-w-0 flex-1 truncate text-muted" data-testid="setup-source">
            {item.source ? SOURCE[item.source] : ""}
          </span>
          <SetupState item={item} />
        </>
      }
    >
      {item.reason && (
        <pre
          data-testid="setup-reason"
          tabIndex={failed ? 0 : undefined}
          aria-label={failed ? "Why setup failed" : undefined}
          className={`border-t border-line px-3 py-1.5 font-mono text-xs whitespace-pre-wrap break-all ${
            failed ? "max-h-48 overflow-auto bg-red-500/10 text-red-800 dark:text-red-200" : "text-muted"
          }`}
        >
          {item.reason}
        </pre>
      )}
      {open && <ToolOutput output={item.output} label="Setup output" testId="setup-output" />}
    </FoldBlock>
  );
});

function SetupState({ item }: { item: SetupItem }) {
  if (item.interrupted) return <Tag tone="gray" testId="setup-state">interrupted</Tag>;
  const took = item.durationMs !== undefined && (
    <span className="text-muted tabular-nums" data-testid="setup-duration">
      {formatDuration(item.durationMs)}
    </span>
  );
  switch (item.state) {
    case "running":
      return (
        <span className="flex shrink-0 items-center gap-2" data-testid="setup-state">
          <Spinner label="setup running" />
          <span className="text-muted">running</span>
        </span>
      );
    case "failed":
      return (
        <span className="flex shrink-0 items-center gap-2">
          <Tag tone="red" testId="setup-state">
            {item.exitCode != null ? `failed, exit ${item.exitCode}` : "failed"}
          </Tag>
          {took}
        </span>
      );
    case "ok":
    case "cached":
    case "skipped":
      return (
        <span className="flex shrink-0 items-center gap-2">
          <Tag tone={item.state === "ok" ? "green" : item.state === "cached" ? "blue" : "gray"} testId="setup-state">
            {item.state}
          </Tag>
          {took}
        </span>
      );
    default: {
      const unhandled: never = item.state;
      return unhandled;
    }
  }
}

export function EgressBlockedLine({ item }: { item: EgressItem }) {
  return (
    <div
      data-testid="egress-blocked"
      data-phase={item.phase}
      className="flex flex-wrap items-baseline gap-x-2 rounded border border-amber-500/30 bg-amber-500/10 px-2 py-1 text-xs text-amber-900 dark:text-amber-200"
    >
      <span aria-hidden>⊘</span>
      <span className="min-w-0 font-medium break-all" data-testid="egress-target">
        blocked: <code className="font-mono">{`${item.host}:${item.port}`}</code>
      </span>
      {item.count > 1 && (
        <span data-testid="egress-count" className="font-medium tabular-nums" title={`${item.count} refused connections`}>
          ×{item.count}
        </span>
      )}
      <span className="min-w-0 break-words opacity-80" data-testid="egress-reason">
        {item.phase === "setup" ? "setup" : "agent"} policy: {item.reason}
      </span>
    </div>
  );
}
