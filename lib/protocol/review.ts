// Shapes of the review API: structured diffs, checkpoints, review threads, merge/push.
import { z } from "zod";
import type { SessionDto } from "./api";
import { safeText } from "./text";

export const DiffLineSchema = z.object({
  type: z.enum(["context", "add", "del"]),
  oldLine: z.number().int().nullable(),
  newLine: z.number().int().nullable(),
  text: z.string(),
});
export const DiffHunkSchema = z.object({
  header: z.string(),
  oldStart: z.number().int(),
  oldLines: z.number().int(),
  newStart: z.number().int(),
  newLines: z.number().int(),
  lines: z.array(DiffLineSchema),
});
export const DiffFileSchema = z.object({
  path: z.string(),
  /** For renames and copies: where it came from. */
  oldPath: z.string().nullable(),
  status: z.enum(["added", "deleted", "modified", "renamed", "copied", "binary"]),
  binary: z.boolean(),
  additions: z.number().int(),
  deletions: z.number().int(),
  /** Hunks are omitted (and `tooLarge` set) past a size where rendering them would freeze a page. */
  hunks: z.array(DiffHunkSchema),
  tooLarge: z.boolean(),
  /** Set in a diff's index (`view=index`): the hunks were not sent; ask for the file's page. */
  deferred: z.boolean().optional(),
});
export const DiffJsonSchema = z.object({ from: z.string(), to: z.string(), files: z.array(DiffFileSchema), truncated: z.boolean() });
/** Files `offset …` of a range's index, with their hunks (`offset`/`limit` on the diff route). */
export const DiffPageSchema = z.object({ from: z.string(), to: z.string(), offset: z.number().int(), files: z.array(DiffFileSchema) });
export type DiffPage = z.infer<typeof DiffPageSchema>;
/** Most files one page may ask for; a page of the review is usually a few dozen. */
export const DIFF_PAGE_MAX_FILES = 200;
export type DiffLine = z.infer<typeof DiffLineSchema>;
export type DiffHunk = z.infer<typeof DiffHunkSchema>;
export type DiffFile = z.infer<typeof DiffFileSchema>;
export type DiffJson = z.infer<typeof DiffJsonSchema>;

export const CommitDtoSchema = z.object({
  sha: z.string(),
  subject: z.string(),
  body: z.string(),
  author: z.string(),
  date: z.string(),
  filesChanged: z.number().int(),
  additions: z.number().int(),
  deletions: z.number().int(),
});
export type CommitDto = z.infer<typeof CommitDtoSchema>;

export const REVIEW_STATES = ["needs_review", "changes_requested", "approved", "merged"] as const;
export const ReviewState = z.enum(REVIEW_STATES);
export type ReviewState = z.infer<typeof ReviewState>;

export const Side = z.enum(["old", "new"]);
export const NewCommentSchema = z.object({
  path: safeText().min(1).max(4096),
  line: z.number().int().positive(),
  side: Side,
  body: safeText().trim().min(1, "a comment needs text").max(20_000),
});
export const CreateReviewInputSchema = z.object({
  verdict: z.enum(["comment", "request_changes", "approve"]),
  body: safeText().max(20_000).optional(),
  comments: z.array(NewCommentSchema).max(500).default([]),
});
export type CreateReviewInput = z.infer<typeof CreateReviewInputSchema>;
export const ReplyInputSchema = z.object({ body: safeText().trim().min(1).max(20_000) });
export const MergeStrategySchema = z.enum(["merge", "squash", "ff"]);
export const MergeInputSchema = z.object({
  strategy: MergeStrategySchema,
  /** Why to merge over unresolved threads or "changes requested" (kept in the audit trail). */
  overrideReason: safeText().trim().max(1000, "keep the reason under 1000 characters").optional(),
});
export type MergeInput = z.infer<typeof MergeInputSchema>;

/** What merging the session would do now, computed before anyone clicks (GET …/mergeability). */
export const MergeabilitySchema = z.object({
  baseBranch: z.string(),
  /** Null while the session has no branch. */
  baseHead: z.string().nullable(),
  head: z.string().nullable(),
  /** Where the review diff starts: the branch's merge base with the current base head. */
  mergeBase: z.string().nullable(),
  commits: z.number().int(),
  files: z.number().int(),
  /** Commits the base gained that the branch lacks ("main moved 2 commits"). */
  behind: z.number().int(),
  conflicts: z.array(z.string()),
  /** Why Merge is off right now, in plain words; null when it can merge. */
  blocked: z.string().nullable(),
  /** What a merge has to override, with a reason ("2 unresolved threads"); null when nothing. */
  needsOverride: z.string().nullable(),
  /** The one line the review header shows ("main moved 2 commits; conflicts in README.md"). */
  summary: z.string(),
  merged: z.object({ at: z.string(), by: z.string().nullable() }).nullable(),
});
export type Mergeability = z.infer<typeof MergeabilitySchema>;
export const ResetInputSchema = z.object({ sha: z.string().regex(/^[0-9a-f]{7,40}$/, "sha must be a commit id") });
export const ForkInputSchema = z.object({ sha: z.string().regex(/^[0-9a-f]{7,40}$/, "sha must be a commit id"), prompt: safeText().trim().min(1).max(100_000) });
export const DiffQuerySchema = z.object({
  from: z.string().regex(/^[0-9a-f]{7,40}$/).optional(),
  to: z.string().regex(/^[0-9a-f]{7,40}$/).optional(),
  format: z.enum(["json", "text"]).optional(),
  /** With `format=json`: `index` answers the files without their hunks (the review's first answer). */
  view: z.enum(["index"]).optional(),
  /** With `format=json`: only files `offset … offset+limit-1` of the index, with their hunks. */
  offset: z.coerce.number().int().min(0).optional(),
  limit: z.coerce.number().int().min(1).max(200, "ask for at most 200 files at a time").optional(),
  /** With a one-file page: the file's whole diff, past the size the review folds (`Load diff`). */
  full: z.enum(["1"]).optional(),
});

export const CommentDtoSchema = z.object({ id: z.string(), author: z.object({ id: z.string(), name: z.string() }), body: z.string(), createdAt: z.string() });
export const ThreadDtoSchema = z.object({
  id: z.string(),
  path: z.string(),
  line: z.number().int(),
  side: Side,
  /** The code line the thread is about, as it was when the thread started. */
  quotedCode: z.string(),
  commitSha: z.string(),
  resolved: z.boolean(),
  comments: z.array(CommentDtoSchema),
  createdAt: z.string(),
});
export const ReviewDtoSchema = z.object({
  id: z.string(),
  verdict: z.enum(["comment", "request_changes", "approve"]),
  body: z.string().nullable(),
  author: z.object({ id: z.string(), name: z.string() }),
  headCommit: z.string(),
  createdAt: z.string(),
});
export const ReviewSummarySchema = z.object({
  state: ReviewState,
  reviews: z.array(ReviewDtoSchema),
  threads: z.array(ThreadDtoSchema),
  /** The head the caller last reviewed, for "changes since my last review". */
  myLastReviewedCommit: z.string().nullable(),
  baseBranch: z.string(),
  protected: z.boolean(),
  mergedCommit: z.string().nullable(),
});
export type ThreadDto = z.infer<typeof ThreadDtoSchema>;
export type ReviewDto = z.infer<typeof ReviewDtoSchema>;
export type ReviewSummary = z.infer<typeof ReviewSummarySchema>;

/** A merge runs as a background job: what it is doing now, and how it ended (…/merge). */
export const MERGE_STEPS = ["queued", "preparing", "merging", "writing", "pushing", "done"] as const;
export const MergeJobSchema = z.object({
  id: z.string(),
  state: z.enum(["queued", "running", "merged", "failed"]),
  step: z.enum(MERGE_STEPS),
  /** Counts for the step where git gives them (files merged); null otherwise. */
  done: z.number().int().nullable(),
  total: z.number().int().nullable(),
  strategy: MergeStrategySchema,
  by: z.string(),
  /** The base branch's new head once merged. */
  sha: z.string().nullable(),
  /** Why it failed, in words a person can act on; conflicting files when that was why. */
  error: z.string().nullable(),
  conflicts: z.array(z.string()),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
});
export type MergeJob = z.infer<typeof MergeJobSchema>;
export const MergeJobAnswerSchema = z.object({ merge: MergeJobSchema.nullable() });

/** The review page's first data, read by its server render (lib/review/initial.ts): the session and the whole branch's diff index. */
export type InitialReview = { session: SessionDto; index: DiffJson };
