// The companion (lib/companion/): drawn deterministically from a person's account; only its name
// and whether it is hidden are stored. Reactions come from local templates: no model call, no
// data leaves the server.
import { z } from "zod";
import { safeText } from "./text";

export const RARITIES = ["common", "uncommon", "rare", "epic", "legendary"] as const;

export const CompanionSchema = z.object({
  species: z.string(),
  /** The species' glyph (an emoji) for the corner of the session page. */
  glyph: z.string(),
  rarity: z.enum(RARITIES),
  /** A few stats, 1–10 each (patience, curiosity, cheer, grit). */
  stats: z.record(z.string(), z.number().int().min(1).max(10)),
  /** The person's name for it (null until they name it). */
  name: z.string().nullable(),
  hidden: z.boolean(),
});
export type Companion = z.infer<typeof CompanionSchema>;

/** PATCH /api/me/companion. */
export const CompanionPatchSchema = z
  .strictObject({ name: safeText().trim().min(1).max(40).nullable().optional(), hidden: z.boolean().optional() })
  .refine((p) => p.name !== undefined || p.hidden !== undefined, "nothing to change: give a name and/or hidden");
export type CompanionPatch = z.infer<typeof CompanionPatchSchema>;
