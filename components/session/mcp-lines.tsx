"use client";
// The session's MCP servers in the transcript: a line per state change (ready with how many
// tools, failed with why, restarted, stopped), each server's stderr as a collapsed block, and the
// "Tools" disclosure in the session header listing which servers and tools the session has.
import { memo, useState } from "react";
import type { McpItem, McpStderrItem, TranscriptItem } from "../lib/transcript";
import { mcpServers } from "../lib/transcript-mcp";
import { Tag } from "../tool-call";
import { ToolOutput } from "../tool-output";
import { FoldBlock } from "./fold-block";

const TONE = { ready: "green", failed: "red", restarted: "amber", stopped: "gray" } as const;

export function McpServerLine({ item }: { item: McpItem }) {
  const tools = item.tools?.length;
  return (
    <div data-testid="mcp-server" data-server={item.server} data-state={item.state} className="flex flex-wrap items-baseline gap-x-2 px-1 text-xs text-muted">
      <span>
        MCP server <code className="font-mono text-fg">{item.server}</code> ({item.serverKind})
      </span>
      <Tag tone={TONE[item.state]}>{item.state}</Tag>
      {tools !== undefined && <span>{tools === 1 ? "1 tool" : `${tools} tools`}</span>}
      {item.skipped?.length ? <span title={item.skipped.map((k) => `${k.tool}: ${k.reason}`).join("\n")}>{item.skipped.length} skipped</span> : null}
      {item.reason && (
        <span data-testid="mcp-reason" className={`min-w-0 break-words ${item.state === "failed" ? "text-red-700 dark:text-red-300" : ""}`}>
          {item.reason}
        </span>
      )}
    </div>
  );
}

export const McpStderrBlock = memo(function McpStderrBlock({ item }: { item: McpStderrItem }) {
  const [open, setOpen] = useState(false);
  return (
    <FoldBlock
      testId="mcp-stderr"
      data={{ server: item.server }}
      open={open}
      onToggle={() => setOpen(!open)}
      toggleTestId="mcp-stderr-toggle"
      header={
        <span className="min-w-0 flex-1 truncate text-muted">
          stderr of MCP server <code className="font-mono">{item.server}</code>
        </span>
      }
    >
      {open && <ToolOutput output={item.output} label={`stderr of ${item.server}`} testId="mcp-stderr-output" />}
    </FoldBlock>
  );
});

/** Which MCP servers and tools the session has (tools are fixed at its start); nothing without servers. */
export function McpToolsPanel({ items }: { items: readonly TranscriptItem[] }) {
  const servers = mcpServers(items);
  if (!servers.length) return null;
  const count = servers.reduce((n, s) => n + (s.tools?.length ?? 0), 0);
  return (
    <details data-testid="mcp-tools" className="relative text-xs">
      <summary className="cursor-pointer rounded px-2 py-1 text-muted hover:bg-sunken">Tools: {count} from MCP</summary>
      <div className="absolute right-0 z-20 mt-1 max-h-80 w-72 max-w-[90vw] overflow-auto rounded-md border border-line bg-panel p-2 shadow-lg">
        {servers.map((s) => (
          <div key={s.server} data-testid="mcp-tools-server" data-server={s.server} className="mb-2 last:mb-0">
            <div className="flex items-center gap-2">
              <code className="font-mono font-medium">{s.server}</code>
              <span className="text-muted">{s.serverKind}</span>
              <Tag tone={TONE[s.state]}>{s.state}</Tag>
            </div>
            <ul className="mt-1 ml-3 list-disc text-muted">
              {(s.tools ?? []).map((t) => (
                <li key={t} className="break-all font-mono">
                  {t}
                </li>
              ))}
              {!s.tools?.length && <li>no tools</li>}
            </ul>
          </div>
        ))}
      </div>
    </details>
  );
}
