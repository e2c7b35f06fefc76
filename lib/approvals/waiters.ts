// Who waits for a decision: the worker's long polls (GET /worker/approvals/:id?wait=S), per
// session. Process-wide on globalThis: decisions are taken in Next's route handlers, polls are
// served by server.ts's channels, and the two load this module separately.
type Waiters = Map<string, Set<() => void>>;
const g = globalThis as unknown as { __docksideApprovalWaiters?: Waiters };
const waiters = (): Waiters => (g.__docksideApprovalWaiters ??= new Map());

/** Resolves after `ms`, when the session's approvals change (wakeApprovalPolls), or on `signal`. */
export function waitForDecision(sessionId: string, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    const set = waiters().get(sessionId) ?? new Set();
    waiters().set(sessionId, set);
    const done = () => {
      clearTimeout(t);
      set.delete(done);
      if (!set.size && waiters().get(sessionId) === set) waiters().delete(sessionId);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const t = setTimeout(done, Math.max(0, ms));
    set.add(done);
    if (signal?.aborted) return done();
    signal?.addEventListener("abort", done);
  });
}

/** Wakes every poll waiting on the session's approvals (they re-read their row). */
export function wakeApprovalPolls(sessionId: string): void {
  const set = waiters().get(sessionId);
  if (!set) return;
  for (const w of [...set]) w();
}
