// A person's decision on a consolidation proposal. Accepting applies it in one transaction, as
// new versions authored by that person; a proposal whose entries changed since it was made is
// refused (the person reviews the entries again).
import { recordAudit } from "../audit/record";
import { authorize, type Access } from "../auth/authorize";
import type { Caller } from "../auth/caller";
import type { Action } from "../auth/roles";
import { db } from "../db/client";
import type { MemoryProposal, Prisma } from "../db/generated/client";
import { AppError } from "../errors";
import type { MemoryProposalDto } from "../protocol/memory";
import { changeEntry, lockEntries, type Author } from "./change";
import { toProposalDto } from "./dto";
import { assertNoSecret, knownSecretValues } from "./secrets";

type Tx = Prisma.TransactionClient;
const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const NOT_FOUND = "memory proposal not found";

/** Loads a proposal and authorizes `action` in its team: another team's proposal is not found (404). */
export async function authorizeProposal(caller: Caller, id: string, action: Action): Promise<Access> {
  const p = ID.test(id) ? await db().memoryProposal.findUnique({ where: { id }, select: { teamId: true } }) : null;
  if (!p) throw new AppError("not_found", NOT_FOUND);
  return authorize(caller, p.teamId, action, NOT_FOUND);
}

/** Accepts (applies) or rejects a proposal; audited as memory.consolidated. */
export async function decideProposal(access: Access, id: string, decision: "accept" | "reject"): Promise<MemoryProposalDto> {
  const by: Author = { id: access.caller.user.id, name: access.caller.user.name };
  const decided = await db().$transaction(async (tx) => {
    await tx.$queryRaw`SELECT id FROM memory_proposals WHERE id = ${id} FOR UPDATE`;
    const p = await tx.memoryProposal.findFirst({ where: { id, teamId: access.teamId } });
    if (!p) throw new AppError("not_found", NOT_FOUND);
    if (p.state !== "proposed") throw new AppError("conflict", `this proposal was already ${p.state}`);
    if (decision === "accept") await apply(tx, p, by);
    return tx.memoryProposal.update({ where: { id }, data: { state: decision === "accept" ? "accepted" : "rejected", decidedById: by.id, decidedAt: new Date() } });
  });
  await recordAudit({ teamId: access.teamId, actor: access.caller.user, action: "memory.consolidated", targetType: "memory_proposal", targetId: id, data: { decision, kind: decided.kind, entryIds: decided.entryIds } });
  return toProposalDto(decided);
}

async function apply(tx: Tx, p: MemoryProposal, by: Author): Promise<void> {
  const entries = await lockEntries(tx, p.entryIds);
  const changedLater = await tx.memoryVersion.count({ where: { entryId: { in: p.entryIds }, createdAt: { gt: p.createdAt } } });
  const gone = entries.length !== new Set(p.entryIds).size || entries.some((e) => e.state !== "proposed" && e.state !== "accepted");
  if (gone || changedLater) throw new AppError("conflict", "the entries changed since this was proposed; review them again");
  const byId = new Map(entries.map((e) => [e.id, e]));
  const [first, ...others] = p.entryIds.map((eid) => byId.get(eid)!);
  if (p.kind === "merge") {
    // Two halves that each passed the scan can make a credential once joined: the merged text is scanned as a whole.
    assertNoSecret(p.text ?? first.text, await knownSecretValues(p.teamId));
    await changeEntry(tx, first, { text: p.text ?? first.text, note: "merged" }, by);
    for (const o of others) await changeEntry(tx, o, { state: "archived", note: `merged into ${first.id}` }, by);
  } else if (p.kind === "archive") {
    for (const e of [first, ...others]) await changeEntry(tx, e, { state: "archived", note: p.reason }, by);
  } else if (p.kind === "rewrite") {
    await changeEntry(tx, first, { text: p.text ?? first.text, note: "dates made absolute" }, by);
  } else {
    throw new AppError("invalid", `unknown proposal kind ${p.kind}`);
  }
}
