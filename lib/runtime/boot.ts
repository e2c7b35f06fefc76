// The process-wide runtime (orchestrator, health) is created by server.ts and published on
// globalThis: Next bundles route handlers into a separate module graph, so module-level
// singletons would otherwise exist twice in one process.
import { AppError } from "../errors";
import type { Orchestrator } from "../sessions/orchestrator";
import type { Health } from "../protocol/api";

export interface Runtime {
  orchestrator: Orchestrator;
  health(): Promise<Health>;
}

const g = globalThis as unknown as { __docksideRuntime?: Runtime };

export function setRuntime(r: Runtime | undefined): void {
  g.__docksideRuntime = r;
}

export function runtime(): Runtime {
  if (!g.__docksideRuntime) throw new AppError("unavailable", "Dockside is still starting; try again in a moment");
  return g.__docksideRuntime;
}

export async function ensureRuntime(): Promise<Runtime> {
  return runtime();
}
