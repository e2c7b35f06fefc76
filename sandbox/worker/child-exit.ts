// How a command the worker started ended. Waits for its pipes to close, but not for a background
// process that inherited them after bash exited: a short grace after exit, then the pipes are cut.
import type { ChildProcess } from "node:child_process";
import type { Readable } from "node:stream";

export type ChildExit = { code: number | null; signal: NodeJS.Signals | null; error?: Error };

/** Grace for the last output after the process exits. */
export const PIPE_GRACE_MS = 500;

export function childExit(child: ChildProcess, pipes: readonly (Readable | null)[], graceMs = PIPE_GRACE_MS): Promise<ChildExit> {
  return new Promise((resolve) => {
    child.on("error", (error) => resolve({ code: null, signal: null, error }));
    child.on("close", (code, signal) => resolve({ code, signal }));
    child.on("exit", (code, signal) =>
      setTimeout(() => {
        for (const p of pipes) p?.destroy();
        resolve({ code, signal });
      }, graceMs).unref(),
    );
  });
}
