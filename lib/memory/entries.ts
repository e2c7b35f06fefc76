// A person's side of memory: write an entry (accepted at once), accept / archive / reject / edit
// one (each change a version with its author), read one with its history, list and search.
import crypto from "node:crypto";
import { recordAudit } from "../audit/record";
import { authorize, type Access } from "../auth/authorize";
import type { Caller } from "../auth/caller";
import type { Action } from "../auth/roles";
import { db } from "../db/client";
import { Prisma } from "../db/generated/client";
import { AppError } from "../errors";
import type { MemoryCreate, MemoryEntryDto, MemoryList, MemoryPatch, MemoryQuery, MemoryState, MemoryVersionDto } from "../protocol/memory";
import { changeEntry, firstVersion, lockEntries } from "./change";
import { ENTRY_SELECT, toEntryDto, toEntryDtos, toProposalDto, toVersionDto, type EntryRow } from "./dto";
import { repoFilter, resolveRepository } from "./scope";
import { searchEntries } from "./search";
import { assertNoSecret, knownSecretValues } from "./secrets";
import { hiddenTextProblem } from "./text";

const ENTRY_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const NOT_FOUND = "memory entry not found";

/** Loads an entry and authorizes `action` in its team: another team's entry is not found (404). */
export async function authorizeEntry(caller: Caller, id: string, action: Action): Promise<{ access: Access; entry: EntryRow }> {
  const entry = ENTRY_ID.test(id) ? await db().memoryEntry.findUnique({ where: { id }, select: ENTRY_SELECT }) : null;
  if (!entry) throw new AppError("not_found", NOT_FOUND);
  const access = await authorize(caller, entry.teamId, action, NOT_FOUND);
  return { access, entry };
}

const author = (access: Access) => ({ id: access.caller.user.id, name: access.caller.user.name });

async function dto(entry: EntryRow): Promise<MemoryEntryDto> {
  return (await toEntryDtos([entry]))[0];
}

/** Refuses (422) text with characters a reviewer cannot see (lib/memory/text.ts). */
function assertVisible(text: string): void {
  const problem = hiddenTextProblem(text);
  if (problem) throw new AppError("invalid", `text ${problem}`);
}

/** A person writes an entry: accepted at once, version 1 "written", audited. */
export async function createEntry(access: Access, input: MemoryCreate): Promise<MemoryEntryDto> {
  const repo = input.repo ? await resolveRepository(access.teamId, input.repo) : null;
  assertVisible(input.text);
  assertNoSecret(input.text, await knownSecretValues(access.teamId));
  const entry = await db().$transaction(async (tx) => {
    const row = await tx.memoryEntry.create({
      data: { id: crypto.randomUUID(), teamId: access.teamId, repositoryId: repo?.id ?? null, text: input.text, state: "accepted", createdById: access.caller.user.id, createdByName: access.caller.user.name },
      select: ENTRY_SELECT,
    });
    await firstVersion(tx, row, "written", author(access));
    return row;
  });
  await recordAudit({ teamId: access.teamId, actor: access.caller.user, action: "memory.written", targetType: "memory_entry", targetId: entry.id, data: { repositoryId: entry.repositoryId } });
  return toEntryDto(entry, repo?.location ?? null);
}

/** Which states a person may move an entry to from where it is. */
function checkTransition(from: string, to: MemoryState): void {
  if (to === "rejected" && from !== "proposed" && from !== "rejected") {
    throw new AppError("conflict", `only a proposed entry can be rejected; this one is ${from}: archive it instead`);
  }
}

/** Accept, archive or reject, and/or edit the text (scanned for secrets): one new version; nothing changes → the entry as it is. */
export async function patchEntry(access: Access, id: string, patch: MemoryPatch): Promise<MemoryEntryDto> {
  const current = await db().memoryEntry.findFirst({ where: { id, teamId: access.teamId }, select: ENTRY_SELECT });
  if (!current) throw new AppError("not_found", NOT_FOUND);
  if (patch.text !== undefined && patch.text !== current.text) {
    assertVisible(patch.text);
    assertNoSecret(patch.text, await knownSecretValues(access.teamId));
  }
  const result = await db().$transaction(async (tx) => {
    const [entry] = await lockEntries(tx, [id]);
    if (!entry) throw new AppError("not_found", NOT_FOUND);
    const text = patch.text !== undefined && patch.text !== entry.text ? patch.text : undefined;
    const state = patch.state !== undefined && patch.state !== entry.state ? patch.state : undefined;
    if (text === undefined && state === undefined) return { entry, changed: false, from: entry.state, edited: false };
    if (state) checkTransition(entry.state, state);
    const note = [text !== undefined ? "edited" : null, state ?? null].filter(Boolean).join(", ");
    return { entry: await changeEntry(tx, entry, { text, state, note }, author(access)), changed: true, from: entry.state, edited: text !== undefined };
  });
  if (result.changed) {
    await recordAudit({
      teamId: access.teamId,
      actor: access.caller.user,
      action: "memory.changed",
      targetType: "memory_entry",
      targetId: id,
      data: { version: result.entry.version, edited: result.edited, from: result.from, to: result.entry.state },
    });
  }
  return dto(result.entry);
}

/** One entry of the team with every version, newest first. */
export async function getEntry(teamId: string, id: string): Promise<{ entry: MemoryEntryDto; versions: MemoryVersionDto[] }> {
  const entry = await db().memoryEntry.findFirst({ where: { id, teamId }, select: ENTRY_SELECT });
  if (!entry) throw new AppError("not_found", NOT_FOUND);
  const versions = await db().memoryVersion.findMany({ where: { entryId: id }, orderBy: { version: "desc" } });
  return { entry: await dto(entry), versions: versions.map(toVersionDto) };
}

/** The team's entries (filtered by repository or "team", state, a search) and the open consolidation proposals in that scope. */
export async function listMemory(teamId: string, query: MemoryQuery): Promise<MemoryList> {
  const repositoryId = await repoFilter(teamId, query.repo);
  const where: Prisma.Sql[] = [];
  if (repositoryId === null) where.push(Prisma.sql`e.repository_id IS NULL`);
  else if (repositoryId !== undefined) where.push(Prisma.sql`e.repository_id = ${repositoryId}`);
  if (query.state) where.push(Prisma.sql`e.state = ${query.state}`);
  const rows = await searchEntries({ teamId, where, q: query.q, match: "all", limit: query.limit });
  const proposals = await db().memoryProposal.findMany({
    where: { teamId, state: "proposed", ...(repositoryId !== undefined ? { repositoryId } : {}) },
    orderBy: { createdAt: "desc" },
    take: 200,
  });
  return { entries: await toEntryDtos(rows), proposals: proposals.map(toProposalDto) };
}
