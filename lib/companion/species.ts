// The companions' species: plain data, shared by the server's draw (lib/companion/draw.ts) and the
// browser's reactions (components/companion/reactions.ts), so it must stay free of imports.

export interface Species {
  id: string;
  glyph: string;
  /** One word that flavours its lines. */
  temperament: Temperament;
}

export type Temperament = (typeof TEMPERAMENTS)[number];

export const TEMPERAMENTS = ["wise", "sly", "playful", "cautious", "clever", "loyal", "stubborn", "patient", "busy", "aloof", "scrappy", "serene", "chatty", "bouncy", "diligent", "dreamy"] as const;

export const SPECIES: readonly Species[] = [
  { id: "owl", glyph: "🦉", temperament: "wise" },
  { id: "fox", glyph: "🦊", temperament: "sly" },
  { id: "otter", glyph: "🦦", temperament: "playful" },
  { id: "hedgehog", glyph: "🦔", temperament: "cautious" },
  { id: "octopus", glyph: "🐙", temperament: "clever" },
  { id: "penguin", glyph: "🐧", temperament: "loyal" },
  { id: "crab", glyph: "🦀", temperament: "stubborn" },
  { id: "turtle", glyph: "🐢", temperament: "patient" },
  { id: "bee", glyph: "🐝", temperament: "busy" },
  { id: "cat", glyph: "🐈", temperament: "aloof" },
  { id: "raccoon", glyph: "🦝", temperament: "scrappy" },
  { id: "sloth", glyph: "🦥", temperament: "serene" },
  { id: "parrot", glyph: "🦜", temperament: "chatty" },
  { id: "frog", glyph: "🐸", temperament: "bouncy" },
  { id: "beaver", glyph: "🦫", temperament: "diligent" },
  { id: "dodo", glyph: "🦤", temperament: "dreamy" },
];

export const STAT_NAMES = ["patience", "curiosity", "cheer", "grit"] as const;

/** The species of a drawn companion; an unknown id (a species retired later) reads as the first. */
export function speciesOf(id: string): Species {
  return SPECIES.find((s) => s.id === id) ?? SPECIES[0];
}

/** "red panda" → "Red panda": what a companion is called until its person names it. */
export const speciesLabel = (id: string): string => id.charAt(0).toUpperCase() + id.slice(1);
