// The review's first answer (the whole branch's index with its leading files' hunks), made as a
// checkpoint arrives: a person opens the review after the agent committed, and the page's server
// render (lib/review/initial.ts) then finds the answer made instead of computing a large range's
// file list while the browser loads the page beside it on the same cores. Only the index and the
// lead are read here; the whole patch waits for the first page a browser asks for (a busy server
// must not read every checkpoint's patch for reviews nobody opens). diff-pages keeps the answers
// (a few ranges; the least recent go).
//
// An agent decides how often it checkpoints, and each new head is a new range: warm-ups run one
// at a time on the whole host, and a session has at most one waiting (which reads the head as it
// is when it runs), so checkpoint after checkpoint costs the host one read at a time, never a pile
// of them. In memory only: a warm-up lost with a restart costs the first page its wait, nothing more.
import { db } from "../db/client";
import { hostRepoPath } from "../git/host-repo";
import { cachedRange, indexWithLead } from "./diff-pages";

const waiting = new Set<string>();
let line: Promise<void> = Promise.resolve();

export function warmReviewSoon(sessionId: string): void {
  if (waiting.has(sessionId)) return;
  waiting.add(sessionId);
  line = line.then(async () => {
    // From here on a new checkpoint queues another read (this one may already be past its head).
    waiting.delete(sessionId);
    await warmReview(sessionId).catch((err: unknown) => console.warn(`[review] could not prepare ${sessionId}'s diff: ${(err as Error).message}`));
  });
}

export async function warmReview(sessionId: string): Promise<void> {
  const s = await db().session.findUnique({ where: { id: sessionId }, select: { baseCommit: true, branch: true } });
  if (!s?.baseCommit) return;
  const repo = hostRepoPath(sessionId);
  const { from, to } = await cachedRange(repo, s.baseCommit, s.branch);
  await indexWithLead(repo, from, to, { readAhead: false });
}
