// A person's companion is drawn from SHA-256 of their user id and nothing else: the same account
// always gets the same species, rarity and stats, on every server, without storing them.
import crypto from "node:crypto";
import { RARITIES } from "../protocol/companion";
import { SPECIES, STAT_NAMES, type Species } from "./species";

export type Rarity = (typeof RARITIES)[number];

/** Out of 10,000: common 60 %, uncommon 25 %, rare 10 %, epic 4 %, legendary 1 %. */
const RARITY_WEIGHTS: Record<Rarity, number> = { common: 6000, uncommon: 2500, rare: 1000, epic: 400, legendary: 100 };
/** Rarer companions have a higher floor on every stat (stats run 1–10). */
const STAT_FLOOR: Record<Rarity, number> = { common: 1, uncommon: 2, rare: 3, epic: 4, legendary: 5 };

export interface Drawn {
  species: Species;
  rarity: Rarity;
  stats: Record<(typeof STAT_NAMES)[number], number>;
}

export function drawCompanion(userId: string): Drawn {
  const h = crypto.createHash("sha256").update(userId, "utf8").digest();
  const species = SPECIES[h.readUInt32BE(0) % SPECIES.length];
  const rarity = rarityAt(h.readUInt32BE(4) % 10_000);
  const floor = STAT_FLOOR[rarity];
  // One byte per stat, past the bytes the species and rarity used.
  const stats = Object.fromEntries(STAT_NAMES.map((name, i) => [name, floor + (h[8 + i] % (11 - floor))])) as Drawn["stats"];
  return { species, rarity, stats };
}

function rarityAt(roll: number): Rarity {
  let edge = 0;
  for (const r of RARITIES) {
    edge += RARITY_WEIGHTS[r];
    if (roll < edge) return r;
  }
  return "common";
}
