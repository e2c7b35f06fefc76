// A person's companion: drawn from the account (draw.ts), with the only things they choose, its
// name and whether it is hidden, stored in `companions` (no row until they change something).
import { db } from "../db/client";
import type { Companion, CompanionPatch } from "../protocol/companion";
import { drawCompanion } from "./draw";

export async function getCompanion(userId: string): Promise<Companion> {
  const row = await db().companion.findUnique({ where: { userId } });
  return toCompanion(userId, row);
}

/** Names, renames, hides or shows the caller's own companion (the route passes the caller's id only). */
export async function updateCompanion(userId: string, patch: CompanionPatch): Promise<Companion> {
  const data = { ...(patch.name !== undefined ? { name: patch.name } : {}), ...(patch.hidden !== undefined ? { hidden: patch.hidden } : {}) };
  const row = await db().companion.upsert({ where: { userId }, create: { userId, ...data }, update: data });
  return toCompanion(userId, row);
}

function toCompanion(userId: string, row: { name: string | null; hidden: boolean } | null): Companion {
  const { species, rarity, stats } = drawCompanion(userId);
  return { species: species.id, glyph: species.glyph, rarity, stats, name: row?.name ?? null, hidden: row?.hidden ?? false };
}
