"use client";
// The session branch against its base, as plain colored text lines. Refetched whenever a commit
// event arrives (`version` changes). Bounded: very large diffs show their first lines only.
import { useEffect, useState } from "react";
import { apiText } from "./lib/api";

const MAX_LINES = 5_000;

type Load = { kind: "loading" } | { kind: "error"; message: string } | { kind: "ok"; lines: string[]; total: number | null };

export function DiffView({ sessionId, version }: { sessionId: string; version: number }) {
  const [load, setLoad] = useState<Load>({ kind: "loading" });

  useEffect(() => {
    const ctl = new AbortController();
    void (async () => {
      const res = await apiText(`/api/sessions/${encodeURIComponent(sessionId)}/diff`, { signal: ctl.signal });
      if (ctl.signal.aborted) return;
      if (!res.ok) {
        setLoad({ kind: "error", message: res.message });
        return;
      }
      setLoad(splitBounded(res.data));
    })();
    return () => ctl.abort();
  }, [sessionId, version]);

  return (
    <div data-testid="diff-view" className="h-full overflow-auto px-4 py-4">
      <div className="mx-auto max-w-6xl">
        {load.kind === "loading" && <p className="text-sm text-muted">Loading diff…</p>}
        {load.kind === "error" && (
          <p role="alert" data-testid="diff-error" className="text-sm text-red-600 dark:text-red-400">
            {load.message}
          </p>
        )}
        {load.kind === "ok" && load.lines.length === 0 && (
          <p data-testid="diff-empty" className="text-sm text-muted">
            No changes on the session branch yet.
          </p>
        )}
        {load.kind === "ok" && load.lines.length > 0 && (
          <>
            {load.total !== null && (
              <p data-testid="diff-truncated" className="mb-2 text-xs text-muted">
                Showing the first {MAX_LINES.toLocaleString("en-US")} of {load.total.toLocaleString("en-US")} lines. Fetch the
                branch to see the whole diff.
              </p>
            )}
            <pre className="overflow-x-auto rounded-md border border-line bg-panel py-2 font-mono text-xs leading-5">
              {load.lines.map((line, i) => (
                <div key={i} className={`px-3 ${lineClass(line)}`}>
                  {line || " "}
                </div>
              ))}
            </pre>
          </>
        )}
      </div>
    </div>
  );
}

function splitBounded(text: string): Load {
  if (!text.trim()) return { kind: "ok", lines: [], total: null };
  const body = text.endsWith("\n") ? text.slice(0, -1) : text;
  const lines = body.split("\n", MAX_LINES + 1);
  if (lines.length <= MAX_LINES) return { kind: "ok", lines, total: null };
  // Count the rest without splitting it all into strings.
  let total = 0;
  for (let i = body.indexOf("\n"); i !== -1; i = body.indexOf("\n", i + 1)) total++;
  return { kind: "ok", lines: lines.slice(0, MAX_LINES), total: total + 1 };
}

function lineClass(line: string): string {
  if (line.startsWith("diff --git") || line.startsWith("index ") || line.startsWith("+++ ") || line.startsWith("--- "))
    return "font-semibold text-fg bg-sunken";
  if (line.startsWith("@@")) return "text-sky-700 dark:text-sky-300 bg-sky-500/5";
  if (line.startsWith("+")) return "text-emerald-800 dark:text-emerald-300 bg-emerald-500/10";
  if (line.startsWith("-")) return "text-red-800 dark:text-red-300 bg-red-500/10";
  return "text-muted";
}
