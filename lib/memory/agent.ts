// The agent's side of memory (the `remember` and `recall` tools) and the memory note that heads a
// new session's prompt. What an agent sends is hostile input: the scope is its own session's
// repository or its team, never an id it names; texts are bounded, scanned for secrets, and a
// session proposes at most MAX_PROPOSALS entries.
import crypto from "node:crypto";
import { db } from "../db/client";
import { Prisma } from "../db/generated/client";
import { AppError } from "../errors";
import { dispatch } from "../notifications/notify";
import { MEMORY_TEXT_MAX, MemoryState, type RecallRequest, type RecallResult, type RememberRequest, type RememberResult } from "../protocol/memory";
import { textProblem } from "../protocol/text";
import type { AgentCallContext } from "../sessions/agent-context";
import { firstVersion } from "./change";
import { ENTRY_SELECT, normaliseText, type EntryRow } from "./dto";
import { bumpUses, searchEntries } from "./search";
import { assertNoSecret, knownSecretValues } from "./secrets";
import { hiddenTextProblem } from "./text";

export { memoryNoteFor } from "./note";

export const MAX_PROPOSALS = 20;
// The caps answer 409, not 429: the worker's channel retries a 429 as a passing overload
// (sandbox/worker/channel.ts), so a capped session's tool call would wait forever.
/** `memory` events a session may record (proposals and repeats of known entries). */
const MAX_MEMORY_EVENTS = 3 * MAX_PROPOSALS;

async function sessionOf(sessionId: string): Promise<{ teamId: string; repositoryId: string | null }> {
  const s = await db().session.findUnique({ where: { id: sessionId }, select: { teamId: true, repositoryId: true } });
  if (!s) throw new AppError("not_found", "session not found");
  return s;
}

const resultOf = (e: { id: string; state: string }): RememberResult => ({ id: e.id, state: MemoryState.catch("proposed").parse(e.state) });

/** Stores a proposed entry (idempotent by session + callId), records a `memory` event; AppError "invalid" when refused (a secret). */
export async function rememberFromAgent(ctx: AgentCallContext, req: RememberRequest): Promise<RememberResult> {
  const s = await sessionOf(ctx.sessionId);
  const resent = await db().memoryEntry.findUnique({ where: { sourceSessionId_sourceCallId: { sourceSessionId: ctx.sessionId, sourceCallId: req.callId } }, select: { id: true, state: true } });
  if (resent) return resultOf(resent);

  const text = req.text.trim();
  if (!text) throw new AppError("invalid", "text is empty: say what the team's agents should remember");
  if (text.length > MEMORY_TEXT_MAX) throw new AppError("invalid", `a memory entry is at most ${MEMORY_TEXT_MAX} characters: keep it to one fact`);
  const problem = textProblem(text) ?? hiddenTextProblem(text);
  if (problem) throw new AppError("invalid", `text ${problem}`);
  const repositoryId = req.scope === "team" ? null : s.repositoryId;
  assertNoSecret(text, [...ctx.masks, ...(await knownSecretValues(s.teamId))]);
  const scope = repositoryId ? "repository" : "team";

  const equal = await equalEntry(s.teamId, repositoryId, text);
  if (equal) {
    // Saying the same thing again stores no entry but does record an event: bounded like proposals.
    const said = await db().event.count({ where: { sessionId: ctx.sessionId, type: "memory" } });
    if (said >= MAX_MEMORY_EVENTS) throw new AppError("conflict", `this session already sent ${MAX_MEMORY_EVENTS} memory entries (new or repeated); ask a person to review them`);
    await ctx.record([{ type: "memory", data: { entryId: equal.id, callId: req.callId, text: equal.text, scope } }]);
    return resultOf(equal);
  }

  const turn = await db().event.findFirst({ where: { sessionId: ctx.sessionId, type: "user.message" }, orderBy: { seq: "desc" }, select: { seq: true } });
  const created = await db().$transaction(async (tx) => {
    // One session's proposals are counted and stored one at a time (a burst of calls cannot pass the cap together).
    await tx.$executeRaw`SELECT 1 FROM (SELECT pg_advisory_xact_lock(hashtextextended(${`memory:${ctx.sessionId}`}, 0))) AS locked`;
    const again = await tx.memoryEntry.findUnique({ where: { sourceSessionId_sourceCallId: { sourceSessionId: ctx.sessionId, sourceCallId: req.callId } }, select: ENTRY_SELECT });
    if (again) return { entry: again, fresh: false };
    const count = await tx.memoryEntry.count({ where: { sourceSessionId: ctx.sessionId } });
    if (count >= MAX_PROPOSALS) throw new AppError("conflict", `this session already proposed ${MAX_PROPOSALS} memory entries; ask a person to review them`);
    const entry = await tx.memoryEntry.create({
      data: { id: crypto.randomUUID(), teamId: s.teamId, repositoryId, text, state: "proposed", sourceSessionId: ctx.sessionId, sourceTurn: turn?.seq ?? null, sourceCallId: req.callId },
      select: ENTRY_SELECT,
    });
    await firstVersion(tx, entry, "proposed", { id: null, name: null, sessionId: ctx.sessionId });
    return { entry, fresh: true };
  });
  if (!created.fresh) return resultOf(created.entry);

  await ctx.record([{ type: "memory", data: { entryId: created.entry.id, callId: req.callId, text, scope } }]);
  const firstLine = text.split("\n")[0].trim();
  await dispatch({ teamId: s.teamId, sessionId: ctx.sessionId, event: "memory.proposed", title: `Memory proposed: ${firstLine}`, body: text }).catch((err) => {
    console.error("[memory] notify", ctx.sessionId, err);
  });
  return resultOf(created.entry);
}

/** A proposed or accepted entry of the same scope that says exactly the same (case, spacing, final punctuation aside). */
async function equalEntry(teamId: string, repositoryId: string | null, text: string): Promise<EntryRow | null> {
  const wanted = normaliseText(text);
  // Narrowed in SQL by its lower-cased words; compared exactly here, with the same normalisation as everywhere.
  const rows = await db().memoryEntry.findMany({
    where: { teamId, repositoryId, state: { in: ["proposed", "accepted"] }, text: { contains: wanted.split(" ")[0] ?? "", mode: "insensitive" } },
    select: ENTRY_SELECT,
    orderBy: { createdAt: "asc" },
    take: 1000,
  });
  const equal = rows.filter((r) => normaliseText(r.text) === wanted);
  return equal.find((r) => r.state === "accepted") ?? equal[0] ?? null;
}

/** Searches the accepted (and this session's proposed) entries of the session's repository and team. */
export async function recallForAgent(ctx: AgentCallContext, req: RecallRequest): Promise<RecallResult> {
  const s = await sessionOf(ctx.sessionId);
  const inScope = s.repositoryId ? Prisma.sql`(e.repository_id = ${s.repositoryId} OR e.repository_id IS NULL)` : Prisma.sql`e.repository_id IS NULL`;
  const visible = Prisma.sql`((e.state = 'accepted' AND ${inScope}) OR (e.state = 'proposed' AND e.source_session_id = ${ctx.sessionId}))`;
  const rows = await searchEntries({ teamId: s.teamId, where: [visible], q: req.query, match: "any", onlyMatches: true, limit: req.limit });
  await bumpUses(rows.map((r) => r.id));
  return {
    entries: rows.map((r) => ({ id: r.id, text: r.text, scope: r.repositoryId ? "repository" : "team", state: r.state === "proposed" ? "proposed" : "accepted", createdAt: r.createdAt.toISOString() })),
  };
}
