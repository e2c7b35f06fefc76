// Calls to the review API, on top of the shared fetch wrapper (components/lib/api.ts). Each
// returns the wrapper's ApiResult, so callers show `message` inline on failure.
import { z } from "zod";
import { SessionDtoSchema } from "../../../lib/protocol/api";
import {
  CommitDtoSchema,
  DiffJsonSchema,
  DiffPageSchema,
  ReviewState,
  ReviewSummarySchema,
  type CreateReviewInput,
} from "../../../lib/protocol/review";
import { apiJson, type ApiResult } from "../../lib/api";
import { diffUrl } from "./range";

export const CommitListSchema = z.object({ commits: z.array(CommitDtoSchema), baseCommit: z.string().nullable(), headCommit: z.string().nullable() });
export type CommitList = z.infer<typeof CommitListSchema>;
// After a write the page reloads the summary, so write answers are read for little: only what
// the page uses is required, the rest may vary.
const SubmitReviewResultSchema = z.looseObject({ state: ReviewState });
const PushResultSchema = z.object({ branch: z.string(), remoteHead: z.string() });

const base = (id: string) => `/api/sessions/${encodeURIComponent(id)}`;
const post = (body?: unknown) => ({ method: "POST" as const, body: body ?? {} });

export const loadSession = (id: string, signal?: AbortSignal) => apiJson(base(id), SessionDtoSchema, { signal });
export const loadSummary = (id: string, signal?: AbortSignal) => apiJson(`${base(id)}/reviews`, ReviewSummarySchema, { signal });
export const loadCommits = (id: string, signal?: AbortSignal) => apiJson(`${base(id)}/commits`, CommitListSchema, { signal });
/** The range's files without their hunks: what the review paints first. */
export const loadDiffIndex = (id: string, q: { from?: string; to?: string }, signal?: AbortSignal) => apiJson(diffUrl(id, { ...q, view: "index" }), DiffJsonSchema, { signal });
/**
 * The whole branch's index as the page's server render preloaded it (`<link rel=preload
 * as=fetch>`): a plain fetch of the same URL and mode takes the preloaded answer. Anything but a
 * good answer asks again the usual way, which says what went wrong.
 */
export async function loadPreloadedDiffIndex(id: string): Promise<ApiResult<z.infer<typeof DiffJsonSchema>>> {
  try {
    const res = await fetch(diffUrl(id, { view: "index" }), { credentials: "same-origin" });
    if (res.ok) {
      const parsed = DiffJsonSchema.safeParse(await res.json());
      if (parsed.success) return { ok: true, status: res.status, data: parsed.data };
    }
  } catch {
    // The usual request below reports it.
  }
  return loadDiffIndex(id, {});
}
/** Files `offset …` of the range with their hunks. */
export const loadDiffPage = (id: string, q: { from?: string; to?: string; offset: number; limit: number; full: boolean }, signal?: AbortSignal) =>
  apiJson(diffUrl(id, q), DiffPageSchema, { signal });

export const submitReview = (id: string, input: CreateReviewInput) => apiJson(`${base(id)}/reviews`, SubmitReviewResultSchema, post(input));
export const replyToThread = (id: string, threadId: string, body: string) =>
  apiJson(`${base(id)}/threads/${encodeURIComponent(threadId)}/replies`, null, post({ body }));
export const resolveThread = (id: string, threadId: string, resolved: boolean) =>
  apiJson(`${base(id)}/threads/${encodeURIComponent(threadId)}/resolve`, null, post({ resolved }));
export const pushBranch = (id: string) => apiJson(`${base(id)}/push`, PushResultSchema, post());
export const askRebase = (id: string) => apiJson(`${base(id)}/rebase`, null, post());
export const resetBranch = (id: string, sha: string) => apiJson(`${base(id)}/reset`, null, post({ sha }));
export const forkSession = (id: string, sha: string, prompt: string) => apiJson(`${base(id)}/fork`, SessionDtoSchema, post({ sha, prompt }));
export const patchUrl = (id: string) => `${base(id)}/patch`;

export type { ApiResult };
