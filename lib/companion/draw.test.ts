// The draw is a pure function of the user id: the same account always gets the same companion,
// and across many accounts every species and rarity turns up about as often as intended.
import { describe, expect, it } from "vitest";
import { RARITIES } from "../protocol/companion";
import { drawCompanion, type Rarity } from "./draw";
import { SPECIES, STAT_NAMES } from "./species";

const ids = Array.from({ length: 5000 }, (_, i) => `user-${i}-${(i * 7919).toString(36)}`);

describe("drawCompanion", () => {
  it("gives the same account the same companion every time, and different accounts different ones", () => {
    expect(drawCompanion("u-ada")).toEqual(drawCompanion("u-ada"));
    expect(drawCompanion(ids[1])).toEqual(drawCompanion(String(ids[1])));
    const distinct = new Set(ids.slice(0, 200).map((id) => JSON.stringify(drawCompanion(id))));
    expect(distinct.size).toBeGreaterThan(150);
  });

  it("draws from at least twelve species, each with its own glyph and temperament, and 5,000 accounts meet them all", () => {
    expect(SPECIES.length).toBeGreaterThanOrEqual(12);
    expect(new Set(SPECIES.map((s) => s.glyph)).size).toBe(SPECIES.length);
    expect(new Set(SPECIES.map((s) => s.temperament)).size).toBe(SPECIES.length);
    const seen = new Set(ids.map((id) => drawCompanion(id).species.id));
    expect([...seen].sort()).toEqual(SPECIES.map((s) => s.id).sort());
  });

  it("deals rarities with their weights (60/25/10/4/1 %) and stats of 1–10 with a higher floor for rarer ones", () => {
    const counts = Object.fromEntries(RARITIES.map((r) => [r, 0])) as Record<Rarity, number>;
    const lowest = Object.fromEntries(RARITIES.map((r) => [r, 10])) as Record<Rarity, number>;
    for (const id of ids) {
      const c = drawCompanion(id);
      counts[c.rarity]++;
      expect(Object.keys(c.stats).sort()).toEqual([...STAT_NAMES].sort());
      for (const v of Object.values(c.stats)) {
        expect(v).toBeGreaterThanOrEqual(1);
        expect(v).toBeLessThanOrEqual(10);
        lowest[c.rarity] = Math.min(lowest[c.rarity], v);
      }
    }
    const share = (r: Rarity) => counts[r] / ids.length;
    expect(share("common")).toBeCloseTo(0.6, 1);
    expect(Math.abs(share("uncommon") - 0.25)).toBeLessThan(0.03);
    expect(Math.abs(share("rare") - 0.1)).toBeLessThan(0.02);
    expect(Math.abs(share("epic") - 0.04)).toBeLessThan(0.012);
    expect(counts.legendary).toBeGreaterThan(20);
    expect(counts.legendary).toBeLessThan(90);
    expect(lowest).toEqual({ common: 1, uncommon: 2, rare: 3, epic: 4, legendary: 5 });
  });
});
