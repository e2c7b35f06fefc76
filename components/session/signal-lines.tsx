"use client";
// One-line transcript markers for a check routine's verdict and for Dockside's alerts.
import type { AlertItem, ReportItem } from "../lib/transcript";

const ALERT_WORDS: Record<AlertItem["alertKind"], string> = {
  stuck: "Stuck",
  looping: "Looping",
  budget: "Budget",
  memory: "Memory",
  disk: "Disk",
  check: "Check",
};

export function ReportLine({ item }: { item: ReportItem }) {
  const attention = item.verdict === "attention";
  return (
    <div
      data-testid="report-verdict"
      data-verdict={item.verdict}
      className={`rounded-md border px-3 py-2 text-sm ${attention ? "border-amber-500/40 bg-amber-500/10" : "border-emerald-500/40 bg-emerald-500/10"}`}
    >
      <span className="mr-2 text-xs font-semibold uppercase">{attention ? "Check: needs attention" : "Check: ok"}</span>
      <span className="whitespace-pre-wrap break-words">{item.summary}</span>
    </div>
  );
}

export function AlertLine({ item }: { item: AlertItem }) {
  return (
    <div role="status" data-testid="alert-line" data-kind={item.alertKind} className="rounded-md border border-amber-500/40 bg-amber-500/10 px-3 py-2 text-sm">
      <span className="mr-2 text-xs font-semibold uppercase">{ALERT_WORDS[item.alertKind]} alert</span>
      <span className="whitespace-pre-wrap break-words">{item.message}</span>
    </div>
  );
}
