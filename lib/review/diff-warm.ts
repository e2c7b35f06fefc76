// The review's first answer (the whole branch's index with its leading files' hunks), made as a
// checkpoint arrives: a person opens the review after the agent committed, and the page's server
// render (lib/review/initial.ts) then finds the answer made instead of computing a large range's
// file list while the browser loads the page beside it on the same cores. Only the index and the
// lead are read here; the whole patch waits for the first page a browser asks for (a busy server
// must not read every checkpoint's patch for reviews nobody opens). diff-pages keeps the answers
// (a few ranges; the least recent go).
import { db } from "../db/client";
import { hostRepoPath } from "../git/host-repo";
import { cachedRange, indexWithLead } from "./diff-pages";

// Checkpoints of one turn come together (the end of a turn, a follow-up's first commit): one read
// after the last. In memory only: a warm-up lost with a restart costs the first page its wait.
const DELAY_MS = 50;
const pending = new Map<string, NodeJS.Timeout>();

export function warmReviewSoon(sessionId: string): void {
  clearTimeout(pending.get(sessionId));
  const timer = setTimeout(() => {
    pending.delete(sessionId);
    warmReview(sessionId).catch((err: unknown) => console.warn(`[review] could not prepare ${sessionId}'s diff: ${(err as Error).message}`));
  }, DELAY_MS);
  timer.unref();
  pending.set(sessionId, timer);
}

export async function warmReview(sessionId: string): Promise<void> {
  const s = await db().session.findUnique({ where: { id: sessionId }, select: { baseCommit: true, branch: true } });
  if (!s?.baseCommit) return;
  const repo = hostRepoPath(sessionId);
  const { from, to } = await cachedRange(repo, s.baseCommit, s.branch);
  await indexWithLead(repo, from, to, { readAhead: false });
}
