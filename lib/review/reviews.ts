// Reviews and their threads. A review with "request changes" sends the unresolved comments to
// the agent as one follow-up, each with its file, line, the quoted code and the text.
import crypto from "node:crypto";
import { db } from "../db/client";
import { AppError } from "../errors";
import type { Access } from "../auth/authorize";
import { hostBranchHead, hostRepoPath } from "../git/host-repo";
import type { CreateReviewInput, ReviewState, ReviewSummary, ThreadDto } from "../protocol/review";
import { isProtectedBase } from "../repos/session-repository";
import { runtime } from "../runtime/boot";
import { lineAt, listCommits } from "./git-read";
import { notifyReview } from "../notifications/notify";

type SessionRow = { id: string; teamId: string; baseCommit: string | null; branch: string; baseBranch: string; mergedCommit: string | null; reviewState: string };

async function loadSession(access: Access, id: string): Promise<SessionRow> {
  const s = await db().session.findFirst({ where: { id, teamId: access.teamId } });
  if (!s) throw new AppError("not_found", "session not found");
  return s;
}

async function currentHead(s: SessionRow): Promise<string> {
  const head = await hostBranchHead(hostRepoPath(s.id), s.branch);
  if (!head || !s.baseCommit) throw new AppError("conflict", "this session has no branch to review yet");
  return head;
}

export async function reviewSummary(access: Access, id: string): Promise<ReviewSummary> {
  const s = await loadSession(access, id);
  const [reviews, threads, isProtected] = await Promise.all([
    db().review.findMany({ where: { sessionId: id }, orderBy: { createdAt: "asc" } }),
    db().reviewThread.findMany({ where: { sessionId: id }, include: { comments: { orderBy: { createdAt: "asc" } } }, orderBy: { createdAt: "asc" } }),
    isProtectedBase(s.id),
  ]);
  const mine = reviews.filter((r) => r.authorId === access.caller.user.id);
  // After a reset the last reviewed head may no longer be on the branch: then there is no "since".
  const last = mine.length ? mine[mine.length - 1].headCommit : null;
  const onBranch = last && s.baseCommit ? last === s.baseCommit || (await listCommits(hostRepoPath(s.id), s.baseCommit, s.branch).catch(() => [])).some((c) => c.sha === last) : false;
  return {
    state: s.reviewState as ReviewState,
    reviews: reviews.map((r) => ({ id: r.id, verdict: r.verdict as "comment", body: r.body, author: { id: r.authorId, name: r.authorName }, headCommit: r.headCommit, createdAt: r.createdAt.toISOString() })),
    threads: threads.map(toThreadDto),
    myLastReviewedCommit: onBranch ? last : null,
    baseBranch: s.baseBranch,
    protected: isProtected,
    mergedCommit: s.mergedCommit,
  };
}

function toThreadDto(t: { id: string; path: string; line: number; side: string; quotedCode: string; commitSha: string; resolvedAt: Date | null; createdAt: Date; comments: { id: string; authorId: string; authorName: string; body: string; createdAt: Date }[] }): ThreadDto {
  return {
    id: t.id,
    path: t.path,
    line: t.line,
    side: t.side as "old" | "new",
    quotedCode: t.quotedCode,
    commitSha: t.commitSha,
    resolved: !!t.resolvedAt,
    comments: t.comments.map((c) => ({ id: c.id, author: { id: c.authorId, name: c.authorName }, body: c.body, createdAt: c.createdAt.toISOString() })),
    createdAt: t.createdAt.toISOString(),
  };
}

export async function submitReview(access: Access, id: string, input: CreateReviewInput): Promise<{ reviewId: string; state: ReviewState }> {
  const s = await loadSession(access, id);
  if (s.mergedCommit && s.reviewState === "merged") throw new AppError("conflict", "this session's branch is already merged");
  const head = await currentHead(s);
  const ws = hostRepoPath(s.id);
  const user = access.caller.user;
  const reviewId = crypto.randomUUID();
  const threads = await Promise.all(
    input.comments.map(async (c) => ({ ...c, id: crypto.randomUUID(), quotedCode: await lineAt(ws, c.side === "new" ? head : s.baseCommit!, c.path, c.line) })),
  );
  const state: ReviewState = input.verdict === "approve" ? "approved" : input.verdict === "request_changes" ? "changes_requested" : (s.reviewState as ReviewState);
  await db().$transaction([
    db().review.create({ data: { id: reviewId, sessionId: id, authorId: user.id, authorName: user.name, verdict: input.verdict, body: input.body || null, headCommit: head } }),
    ...threads.map((t) =>
      db().reviewThread.create({
        data: { id: t.id, sessionId: id, path: t.path, line: t.line, side: t.side, quotedCode: t.quotedCode, commitSha: head, comments: { create: { id: crypto.randomUUID(), authorId: user.id, authorName: user.name, body: t.body, reviewId } } },
      }),
    ),
    db().session.update({ where: { id }, data: { reviewState: state } }),
  ]);
  if (input.verdict === "request_changes") {
    await sendFeedback(access, s, input.body);
    void notifyReview(access.teamId, id, "review.requested", user, input.body?.slice(0, 300));
  }
  return { reviewId, state };
}

/** Compiles every unresolved thread into one follow-up for the agent. */
async function sendFeedback(access: Access, s: SessionRow, body: string | undefined): Promise<void> {
  const open = await db().reviewThread.findMany({ where: { sessionId: s.id, resolvedAt: null }, include: { comments: { orderBy: { createdAt: "asc" } } }, orderBy: { createdAt: "asc" } });
  const items = open.map((t, i) => {
    const said = t.comments.map((c) => `${c.authorName}: ${c.body}`).join("\n");
    return `${i + 1}. \`${t.path}\` line ${t.line} (${t.side === "new" ? "new" : "old"} version):\n\`\`\`\n${t.quotedCode}\n\`\`\`\n${said}`;
  });
  const text = [
    `Review from ${access.caller.user.name}: changes requested.`,
    body ? `\n${body}\n` : "",
    items.length ? `Please address these comments:\n\n${items.join("\n\n")}` : "",
    "\nCommit the fixes; the reviewer will look at what changed since this review.",
  ].join("\n");
  await runtime().orchestrator.sendMessage(access.teamId, s.id, text.trim(), access.caller.user);
}

async function loadThread(access: Access, sessionId: string, threadId: string) {
  const t = await db().reviewThread.findFirst({ where: { id: threadId, sessionId, session: { teamId: access.teamId } } });
  if (!t) throw new AppError("not_found", "thread not found");
  return t;
}

export async function replyToThread(access: Access, sessionId: string, threadId: string, body: string): Promise<ThreadDto> {
  await loadThread(access, sessionId, threadId);
  const u = access.caller.user;
  await db().reviewComment.create({ data: { id: crypto.randomUUID(), threadId, authorId: u.id, authorName: u.name, body } });
  return toThreadDto(await db().reviewThread.findUniqueOrThrow({ where: { id: threadId }, include: { comments: { orderBy: { createdAt: "asc" } } } }));
}

export async function resolveThread(access: Access, sessionId: string, threadId: string, resolved: boolean): Promise<ThreadDto> {
  const t = await loadThread(access, sessionId, threadId);
  await db().reviewThread.update({ where: { id: threadId }, data: { resolvedAt: resolved ? new Date() : null } });
  if (resolved) void notifyReview(access.teamId, sessionId, "review.comment_addressed", access.caller.user, `${t.path}:${t.line}`);
  return toThreadDto(await db().reviewThread.findUniqueOrThrow({ where: { id: threadId }, include: { comments: { orderBy: { createdAt: "asc" } } } }));
}
