// Every change to an entry goes through here: the row is locked, the version bumped and the
// change written to memory_versions with its author (a person, a session, consolidation).
import crypto from "node:crypto";
import type { Prisma } from "../db/generated/client";
import type { MemoryState } from "../protocol/memory";
import { ENTRY_SELECT, type EntryRow } from "./dto";

type Tx = Prisma.TransactionClient;

export interface Author {
  id: string | null;
  name: string | null;
  sessionId?: string | null;
}

/** Locks the entries (in id order, so two transactions never wait on each other crosswise) and reads them. */
export async function lockEntries(tx: Tx, ids: string[]): Promise<EntryRow[]> {
  if (!ids.length) return [];
  await tx.$queryRaw`SELECT id FROM memory_entries WHERE id = ANY(${ids}::text[]) ORDER BY id FOR UPDATE`;
  return tx.memoryEntry.findMany({ where: { id: { in: ids } }, select: ENTRY_SELECT });
}

/** Applies a text and/or state change to a locked entry as its next version. */
export async function changeEntry(tx: Tx, entry: EntryRow, change: { text?: string; state?: MemoryState; note: string }, author: Author): Promise<EntryRow> {
  const version = entry.version + 1;
  const text = change.text ?? entry.text;
  const state = change.state ?? entry.state;
  await tx.memoryVersion.create({
    data: { id: crypto.randomUUID(), entryId: entry.id, version, text, state, authorId: author.id, authorName: author.name, sessionId: author.sessionId ?? null, note: change.note },
  });
  return tx.memoryEntry.update({ where: { id: entry.id }, data: { text, state, version }, select: ENTRY_SELECT });
}

/** The first version of a new entry (written by a person, or proposed by a session). */
export async function firstVersion(tx: Tx, entry: EntryRow, note: string, author: Author): Promise<void> {
  await tx.memoryVersion.create({
    data: { id: crypto.randomUUID(), entryId: entry.id, version: 1, text: entry.text, state: entry.state, authorId: author.id, authorName: author.name, sessionId: author.sessionId ?? null, note },
  });
}
