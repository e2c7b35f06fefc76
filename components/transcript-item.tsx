// One entry of the transcript. The switch is exhaustive: a new item kind fails the build here.
import { memo } from "react";
import { CompactionDivider, RefusalNotice, RetryNotice, TodoMarker } from "./agent-signals";
import { firstLine, shortSha } from "./lib/format";
import { isQuietTool, type TranscriptItem } from "./lib/transcript";
import { MarkdownText } from "./markdown";
import { ApprovalCard } from "./session/approval-card";
import { McpServerLine, McpStderrBlock } from "./session/mcp-lines";
import { HookBlock, ModeLine } from "./session/permission-lines";
import { EgressBlockedLine, SetupBlock } from "./session/setup-block";
import { AlertLine, ReportLine } from "./session/signal-lines";
import { MemoryCard } from "./memory/memory-card";
import { STATUS_LABELS } from "../lib/events/status";
import { ToolCall } from "./tool-call";
import { TaskBlock } from "./session/task-block";
import { TASK_TOOL } from "./session/task-nesting";

/** `steps`: for a `task` call, its subagent's items (components/session/task-nesting.ts). */
export const TranscriptEntry = memo(function TranscriptEntry({ item, steps }: { item: TranscriptItem; steps?: readonly TranscriptItem[] }) {
  switch (item.kind) {
    case "user":
      return (
        <div data-testid="user-message" className="rounded-md border border-accent/30 bg-accent/5 px-3 py-2">
          <div className="mb-1 flex items-center gap-2 text-xs text-muted">
            {/* Messages from before accounts existed carry no author. */}
            <span data-testid="message-author" className="font-medium text-fg">
              {item.author ?? "Someone"}
            </span>
            {item.delivery && <DeliveryTag delivery={item.delivery} />}
          </div>
          {/* Markdown like the agent's text (review feedback quotes code in fences); raw HTML stays text. */}
          <MarkdownText text={item.text} breaks />
        </div>
      );
    case "assistant":
      return (
        <div data-testid="assistant-text" data-block={item.block} className="px-1 leading-relaxed">
          <MarkdownText text={item.text} />
        </div>
      );
    case "tool":
      if (item.name === TASK_TOOL && !item.parent) {
        const nested = steps ?? [];
        return (
          <TaskBlock item={item} steps={nested}>
            {nested.map((s) => (
              <TranscriptEntry key={s.seq} item={s} />
            ))}
          </TaskBlock>
        );
      }
      return isQuietTool(item) ? null : <ToolCall item={item} />;
    case "commit":
      return (
        <div data-testid="commit-event" className="flex items-center gap-2 px-1 text-xs">
          <span aria-hidden className="text-emerald-600 dark:text-emerald-400">●</span>
          <code className="font-mono text-muted" title={item.sha}>
            {shortSha(item.sha)}
          </code>
          <span className="min-w-0 truncate font-medium">{firstLine(item.message)}</span>
          <span className="shrink-0 text-muted">
            {item.filesChanged} {item.filesChanged === 1 ? "file" : "files"},{" "}
            <span className="text-emerald-800 dark:text-emerald-400">+{item.insertions}</span>{" "}
            <span className="text-red-700 dark:text-red-400">−{item.deletions}</span>
          </span>
        </div>
      );
    case "branch":
      return (
        <div data-testid="branch-event" data-action={item.action} className="flex items-center gap-2 px-1 text-xs">
          <span aria-hidden className="text-violet-600 dark:text-violet-400">◆</span>
          <span className="font-medium">
            {item.by ? `${item.by} ` : ""}
            {item.action === "merged" ? "merged the branch" : item.action === "pushed" ? "pushed the branch" : "reset the branch"}
          </span>
          {item.detail && <span className="text-muted">{item.detail}</span>}
          <code className="font-mono text-muted" title={item.sha}>
            {shortSha(item.sha)}
          </code>
        </div>
      );
    case "status":
      return (
        <div data-testid="status-marker" data-status={item.status} className="flex items-center gap-2 text-[11px] text-muted">
          <span className="h-px flex-1 bg-line" />
          <span>
            {STATUS_LABELS[item.status] ?? item.status}
            {item.reason ? `: ${item.reason}` : ""}
          </span>
          <span className="h-px flex-1 bg-line" />
        </div>
      );
    case "error":
      return (
        <div role="alert" data-testid="error-event" className="rounded-md border border-red-500/30 bg-red-500/10 px-3 py-2 text-sm text-red-700 dark:text-red-300">
          {item.source && <span className="mr-2 text-xs font-semibold uppercase">{item.source} error</span>}
          <span className="whitespace-pre-wrap break-words">{item.message}</span>
        </div>
      );
    case "refusal":
      return <RefusalNotice item={item} />;
    case "retry":
      return <RetryNotice item={item} />;
    case "compaction":
      return <CompactionDivider item={item} />;
    case "todo":
      return <TodoMarker item={item} />;
    case "setup":
      return <SetupBlock item={item} />;
    case "egress":
      return <EgressBlockedLine item={item} />;
    case "approval":
      return <ApprovalCard item={item} />;
    case "mode":
      return <ModeLine item={item} />;
    case "hook":
      return <HookBlock item={item} />;
    case "memory":
      return <MemoryCard item={item} />;
    case "report":
      return <ReportLine item={item} />;
    case "alert":
      return <AlertLine item={item} />;
    case "mcp":
      return <McpServerLine item={item} />;
    case "mcp-stderr":
      return <McpStderrBlock item={item} />;
    default: {
      const unhandled: never = item;
      return unhandled;
    }
  }
});

function DeliveryTag({ delivery }: { delivery: "queued" | "delivered" }) {
  const queued = delivery === "queued";
  return (
    <span
      data-testid="delivery-tag"
      data-delivery={delivery}
      title={queued ? "The agent is busy; it reads this message at its next step." : "The agent has read this message."}
      className={`rounded px-1.5 text-[11px] font-medium ${queued ? "bg-amber-500/15 text-amber-800 dark:text-amber-300" : "bg-emerald-500/15 text-emerald-800 dark:text-emerald-300"}`}
    >
      {delivery}
    </span>
  );
}
