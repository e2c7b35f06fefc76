// A page of the team's sessions without a text query: one index range scan, newest first.
import { db } from "../db/client";
import { Prisma } from "../db/generated/client";
import type { Keyset } from "./cursor";
import { NEWEST_FIRST, scope, type HistoryFilters } from "./scope";

export async function findSessionIds(f: HistoryFilters, after: Keyset | null, want: number): Promise<string[]> {
  const rows = await db().$queryRaw<{ id: string }[]>(Prisma.sql`SELECT s.id FROM sessions s WHERE ${scope(f, after)} ${NEWEST_FIRST} LIMIT ${want}`);
  return rows.map((r) => r.id);
}
