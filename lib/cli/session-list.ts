// `dockside session list` for people: one line per session with what it needs, who started it,
// when, and the first line of its task.
import { ATTENTION_LABELS, STATUS_LABELS } from "../events/status";
import type { SessionDto } from "../protocol/api";
import { visibleText } from "../text/visible";

const PROMPT_WIDTH = 60;

export function formatSessionList(sessions: readonly SessionDto[], now: Date, raw: boolean): string {
  if (!sessions.length) return "no sessions\n";
  const clean = (s: string) => (raw ? s : visibleText(s));
  const rows = sessions.map((s) => [
    s.id,
    s.attention ? `${STATUS_LABELS[s.status]}, ${ATTENTION_LABELS[s.attention.kind]}` : s.reviewState === "merged" ? `${STATUS_LABELS[s.status]}, merged` : STATUS_LABELS[s.status],
    ago(new Date(s.createdAt), now),
    clean(s.createdBy?.name ?? (s.routine ? `routine ${s.routine.name}` : "—")),
    clean(repoName(s.repo)),
    clean(oneLine(s.prompt)),
  ]);
  const header = ["ID", "STATUS", "STARTED", "BY", "REPO", "TASK"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const format = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join("  ");
  return [header, ...rows].map(format).join("\n") + "\n";
}

/** The last path segment of a URL or a local path: what people call the repository. */
function repoName(repo: string): string {
  return repo.replace(/\/+$/, "").replace(/\.git$/, "").split("/").pop() || repo;
}

function oneLine(s: string): string {
  const line = s.trim().split("\n")[0];
  return line.length > PROMPT_WIDTH ? `${line.slice(0, PROMPT_WIDTH - 1)}…` : line;
}

function ago(then: Date, now: Date): string {
  const s = Math.max(0, Math.round((now.getTime() - then.getTime()) / 1000));
  if (s < 60) return "just now";
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ago`;
  return then.toISOString().slice(0, 10);
}
