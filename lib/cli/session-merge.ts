// `dockside session merge`: starts the merge (the server answers at once; the work is a job) and
// follows it to the end, printing each step on stderr, so a script still gets one exit status:
// 0 merged, 1 failed (the reason and any conflicting files printed).
import { MergeJobAnswerSchema, type MergeJob } from "../protocol/review";
import { callApi, sessionPath, type Server } from "./session-http";

const POLL_MS = 500;

export interface MergeIo {
  server: () => Server;
  json: boolean;
  out: (s: string) => void;
  note: (s: string) => void;
}

export async function mergeAndFollow(io: MergeIo, id: string, body: { strategy: string; overrideReason?: string }, sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))): Promise<number> {
  const started = await callApi(io.server(), "POST", sessionPath(id, "/merge"), { body, schema: MergeJobAnswerSchema });
  let m = started.merge as MergeJob;
  let said = "";
  for (;;) {
    const line = describe(id, m);
    if (!io.json && line !== said) io.note(line);
    said = line;
    if (m.state === "merged" || m.state === "failed") break;
    await sleep(POLL_MS);
    const now = await callApi(io.server(), "GET", sessionPath(id, "/merge"), { schema: MergeJobAnswerSchema });
    // A newer merge replaced ours only if ours ended: keep following the one we started.
    if (now.merge && now.merge.id === m.id) m = now.merge;
  }
  if (io.json) io.out(JSON.stringify(m, null, 2) + "\n");
  return m.state === "merged" ? 0 : 1;
}

function describe(id: string, m: MergeJob): string {
  if (m.state === "merged") return `merged session ${id} (${m.strategy}); the base branch is now at ${(m.sha ?? "").slice(0, 12)}`;
  if (m.state === "failed") return `merge failed: ${m.error}${m.conflicts.length ? `\nconflicting files:\n  ${m.conflicts.join("\n  ")}` : ""}`;
  return `merging (${m.strategy}): ${m.step}${m.total ? ` ${m.done ?? 0}/${m.total} files` : ""}…`;
}
