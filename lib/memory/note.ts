// The "Team memory" section of a new session's system prompt: the accepted entries of its
// repository and the team's, most relevant to the task first, within a token budget. It is fixed
// when the sandbox starts (the cached prefix); the agent finds the rest with `recall`.
import { env } from "../config/env";
import { db } from "../db/client";
import { Prisma } from "../db/generated/client";
import { bumpUses, searchEntries } from "./search";

export const NOTE_INTRO = "What your team's earlier sessions learnt, reviewed by a person. Use `recall` to search all entries; propose new ones with `remember`.";
/** About four characters a token, as the budget is meant. */
const CHARS_PER_TOKEN = 4;
/** More entries than this never fit any sensible budget. */
const MAX_CANDIDATES = 500;

/**
 * An entry as the model may read it: entries stored before lib/memory/text.ts refused them lose
 * their control and invisible characters, and no spelling of the section's own tag (any case,
 * spaces, `<team_memory`) survives to pass itself off as the end of the section.
 */
export function promptSafe(text: string): string {
  return text
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g, "")
    .replace(/\p{Default_Ignorable_Code_Point}/gu, (c) => ("\u200c\u200d\ufe0e\ufe0f".includes(c) ? c : ""))
    .replace(/<(?=\s*\/?\s*team[\s_-]*memory)/gi, "&lt;");
}

/** One entry as a bullet; the lines after the first (whatever breaks them) indented under it. */
export const bullet = (text: string) => `- ${promptSafe(text).trim().split(/\r\n|[\r\n\u2028\u2029]/).join("\n  ")}`;

/**
 * The section body from entries in order of relevance: the intro, then whole entries while they
 * fit in `budgetChars` (stopping at the first that does not), then how many were left out.
 */
export function composeNote(texts: string[], budgetChars: number, total = texts.length): { note: string; included: number } {
  if (!texts.length) return { note: "", included: 0 };
  const lines = [NOTE_INTRO];
  let used = NOTE_INTRO.length;
  let included = 0;
  for (const text of texts) {
    const b = bullet(text);
    if (used + 1 + b.length > budgetChars) break;
    lines.push(b);
    used += 1 + b.length;
    included++;
  }
  if (total > included) lines.push(`(${total - included} more entries: use recall)`);
  return { note: lines.join("\n"), included };
}

/** The accepted entries for a new session of `repositoryId`, most relevant to `prompt` first, within the token budget ("" when none). */
export async function memoryNoteFor(teamId: string, repositoryId: string | null, prompt: string): Promise<string> {
  const scope = repositoryId ? Prisma.sql`(e.repository_id = ${repositoryId} OR e.repository_id IS NULL)` : Prisma.sql`e.repository_id IS NULL`;
  const rows = await searchEntries({ teamId, where: [Prisma.sql`e.state = 'accepted'`, scope], q: prompt, match: "any", onlyMatches: false, limit: MAX_CANDIDATES });
  if (!rows.length) return "";
  const total = await db().memoryEntry.count({ where: { teamId, state: "accepted", OR: [{ repositoryId: null }, ...(repositoryId ? [{ repositoryId }] : [])] } });
  const { note, included } = composeNote(
    rows.map((r) => r.text),
    env().DOCKSIDE_MEMORY_TOKENS * CHARS_PER_TOKEN,
    total,
  );
  await bumpUses(rows.slice(0, included).map((r) => r.id));
  return note;
}
