// The review page's first data for its server render: the session and the whole branch's diff
// index with its leading files' hunks (what GET …/diff?view=index answers), authorized as those
// routes authorize them. The page's HTML then holds the first diff lines, painted before any
// script runs; the browser fetches the rest (summary, checkpoints, later pages) as before. Null
// whenever the caller may not read the session or anything fails: the browser then loads it all
// itself, and says what went wrong as it always did.
import { authorizeSession } from "../auth/authorize";
import { hostRepoPath } from "../git/host-repo";
import { asRouteJson, readForPage } from "../http/page-read";
import { SessionDtoSchema } from "../protocol/api";
import type { DiffJson, InitialReview } from "../protocol/review";
import { getSession, toDto } from "../sessions/dto";
import { cachedRange, indexWithLead } from "./diff-pages";

export function initialReview(headers: Headers, sessionId: string): Promise<InitialReview | null> {
  return readForPage(headers, async (caller) => {
    const { teamId } = await authorizeSession(caller, sessionId, "session.read");
    const s = await getSession(teamId, sessionId);
    const index = s.baseCommit ? await indexOf(s.id, s.baseCommit, s.branch) : { from: "", to: "", files: [], truncated: false };
    // The index is plain JSON data already, made by the same code the route answers with; checking
    // its thousands of files again would only delay the page.
    return { session: asRouteJson(SessionDtoSchema, toDto(s)), index };
  });
}

async function indexOf(id: string, base: string, branch: string): Promise<DiffJson> {
  const repo = hostRepoPath(id);
  const { from, to } = await cachedRange(repo, base, branch);
  // Made as the last checkpoint arrived (diff-warm.ts), normally. The whole patch is read when
  // the browser asks for its first page, not now: its parse would hold up this very HTML.
  return indexWithLead(repo, from, to, { readAhead: false });
}
