// How a sandbox ended, in words for people: stopped on request or after a clean exit; failed on
// an OOM kill (with what to change) or a non-zero worker exit (with the log's tail).
import { env } from "../config/env";
import { ev } from "../events/schema";
import { sandboxLogs, type SandboxState } from "../sandbox/container";

export async function endStatus(
  row: { containerId: string | null; engine: string | null },
  stop: { requested: boolean; reason?: string },
  state: SandboxState | null,
  cleanExit: string,
): Promise<ReturnType<typeof ev>> {
  if (state?.oomKilled) {
    const limit = env().DOCKSIDE_SANDBOX_MEMORY_MB;
    return ev("status", { status: "failed", reason: `the sandbox was killed for exceeding its memory limit (${limit} MB); raise DOCKSIDE_SANDBOX_MEMORY_MB or make the task use less memory` });
  }
  if (!stop.requested && state && state.exitCode !== 0 && state.exitCode !== 143) {
    const logs = row.containerId ? (await sandboxLogs(row.containerId, 8, row.engine)).slice(-600) : "";
    return ev("status", { status: "failed", reason: `the worker exited with code ${state.exitCode}${logs ? `: ${logs}` : ""}` });
  }
  return ev("status", { status: "stopped", reason: stop.requested ? stop.reason : cleanExit });
}
