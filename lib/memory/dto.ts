// Rows to the API's shapes (lib/protocol/memory.ts), and the text normalisation equal entries share.
import { db } from "../db/client";
import type { MemoryEntry, MemoryProposal, MemoryVersion } from "../db/generated/client";
import { MemoryState, type MemoryEntryDto, type MemoryProposalDto, type MemoryVersionDto } from "../protocol/memory";

/** The columns every entry read selects (the tsvector column stays in the database). */
export const ENTRY_SELECT = {
  id: true,
  teamId: true,
  repositoryId: true,
  text: true,
  state: true,
  version: true,
  sourceSessionId: true,
  sourceTurn: true,
  sourceCallId: true,
  createdById: true,
  createdByName: true,
  createdAt: true,
  updatedAt: true,
  uses: true,
  lastUsedAt: true,
} as const;

export type EntryRow = Omit<MemoryEntry, "search">;

const state = (s: string) => MemoryState.catch("proposed").parse(s);

export function toEntryDto(e: EntryRow, repo: string | null): MemoryEntryDto {
  return {
    id: e.id,
    repoId: e.repositoryId,
    repo: e.repositoryId ? repo : null,
    text: e.text,
    state: state(e.state),
    version: e.version,
    source: { sessionId: e.sourceSessionId, turn: e.sourceTurn, by: e.createdByName },
    createdAt: e.createdAt.toISOString(),
    updatedAt: e.updatedAt.toISOString(),
    uses: e.uses,
  };
}

export function toVersionDto(v: MemoryVersion): MemoryVersionDto {
  return { version: v.version, text: v.text, state: state(v.state), author: v.authorName, sessionId: v.sessionId, note: v.note, createdAt: v.createdAt.toISOString() };
}

export function toProposalDto(p: MemoryProposal): MemoryProposalDto {
  return {
    id: p.id,
    repoId: p.repositoryId,
    kind: p.kind as MemoryProposalDto["kind"],
    entryIds: p.entryIds,
    text: p.text,
    reason: p.reason,
    state: p.state === "accepted" || p.state === "rejected" ? p.state : "proposed",
    createdAt: p.createdAt.toISOString(),
  };
}

/** How equal entries are recognised: case, spacing and trailing punctuation do not count. */
export function normaliseText(text: string): string {
  return text.toLowerCase().replace(/\s+/g, " ").trim().replace(/[.!;,:\s]+$/, "");
}

/** The repositories' display names (their location) for a set of entries. */
export async function repoNames(ids: (string | null)[]): Promise<Map<string, string>> {
  const wanted = [...new Set(ids.filter((id): id is string => !!id))];
  if (!wanted.length) return new Map();
  const rows = await db().repository.findMany({ where: { id: { in: wanted } }, select: { id: true, location: true } });
  return new Map(rows.map((r) => [r.id, r.location]));
}

/** DTOs for rows, with their repositories' names looked up once. */
export async function toEntryDtos(rows: EntryRow[]): Promise<MemoryEntryDto[]> {
  const names = await repoNames(rows.map((r) => r.repositoryId));
  return rows.map((r) => toEntryDto(r, r.repositoryId ? (names.get(r.repositoryId) ?? null) : null));
}
