// What consolidation proposes for the entries of one scope (a repository's, or the team-wide
// ones), as pure functions of the entries: archive what a later entry contradicts, merge what
// says the same thing, make relative dates absolute. Nothing here changes an entry: a person
// accepts or rejects each proposal (lib/memory/proposals.ts).
import { MEMORY_TEXT_MAX } from "../protocol/memory";
import { absoluteDates, relativePhrases } from "./dates";

export interface ConsolidationEntry {
  id: string;
  text: string;
  state: string;
  createdAt: Date;
  sourceSessionId: string | null;
  createdByName: string | null;
}

export interface ProposalDraft {
  kind: "merge" | "archive" | "rewrite";
  entryIds: string[];
  /** merge / rewrite: the text the first entry gets. */
  text: string | null;
  reason: string;
}

const STOPWORDS = new Set(
  "a an and are as at be but by do does for from has have if in into is it its of on or so that the their then there these this those to was were will with you your we our us can should must always never use".split(" "),
);
const CODE = /```[\s\S]*?```|`[^`\n]*`/g;
const NEGATION = /\b(no longer|not anymore|not any more|instead of|(?:was|is|has been|have been|were|got) replaced (?:by|with))\b/i;

/** Inline code and fenced blocks, whitespace-normalised: the commands an entry names. */
export const codeSpans = (text: string) => new Set([...text.matchAll(CODE)].map((m) => m[0].replace(/`/g, "").replace(/\s+/g, " ").trim()).filter(Boolean));
const prose = (text: string) => text.replace(CODE, " ");
/** A crude stem of a plain word ("required" and "require", "tests" and "test" meet); code-ish words stay whole. */
const stem = (w: string) => (w.length > 4 && /^\p{L}+$/u.test(w) ? w.replace(/(ing|ed|es|e|s)$/, "") : w);
/** The words that carry meaning (stop words out; `lib/db/client.ts`, `--frozen-lockfile` stay whole). */
export function keyWords(text: string): Set<string> {
  const words = text.toLowerCase().match(/[\p{L}\p{N}_][\p{L}\p{N}_./:@+-]*/gu) ?? [];
  return new Set(words.map((w) => w.replace(/[.:/-]+$/, "")).filter((w) => w.length > 1 && !STOPWORDS.has(w)).map(stem));
}

export function jaccard(a: Set<string>, b: Set<string>): number {
  if (!a.size && !b.size) return 0;
  let both = 0;
  for (const w of a) if (b.has(w)) both++;
  return both / (a.size + b.size - both);
}
const subset = (a: Set<string>, b: Set<string>) => [...a].every((w) => b.has(w));

/** `newer` says `older` is no longer true: it changes its commands on the same subject, or says so in words. */
export function contradicts(older: ConsolidationEntry, newer: ConsolidationEntry): boolean {
  const [oc, nc] = [codeSpans(older.text), codeSpans(newer.text)];
  const [op, np] = [keyWords(prose(older.text)), keyWords(prose(newer.text))];
  // Same subject, other commands (a newer entry that only adds commands extends the older one).
  if (oc.size && nc.size && !subset(oc, nc) && op.size && jaccard(op, np) >= 0.5) return true;
  if (!NEGATION.test(newer.text)) return false;
  if ([...oc].some((c) => nc.has(c) || newer.text.includes(c))) return true;
  const [ok, nk] = [keyWords(older.text), keyWords(newer.text)];
  const shared = [...ok].filter((w) => nk.has(w)).length;
  return shared >= 2 && shared >= ok.size / 2;
}

/** `a` and `b` say the same thing: their key words overlap strongly, or one's are all in the other's. */
export function duplicates(a: ConsolidationEntry, b: ConsolidationEntry): boolean {
  const [ka, kb] = [keyWords(a.text), keyWords(b.text)];
  if (jaccard(ka, kb) >= 0.6) return true;
  const [small, large] = ka.size <= kb.size ? [ka, kb] : [kb, ka];
  return small.size >= 2 && subset(small, large);
}

/** The longest text, with each other text joined on when it adds words of its own (within the size limit). */
export function mergedText(texts: string[]): string {
  const [longest, ...rest] = [...texts].sort((a, b) => b.length - a.length);
  let out = longest;
  for (const t of rest) {
    const have = keyWords(out);
    if ([...keyWords(t)].some((w) => !have.has(w))) out = `${out}\n${t}`;
  }
  return out.length <= MEMORY_TEXT_MAX ? out : longest;
}

const day = (d: Date) => d.toISOString().slice(0, 10);
const origin = (e: ConsolidationEntry) => (e.sourceSessionId ? `session ${e.sourceSessionId}` : `${e.createdByName ?? "a person"}`);
const byAge = (a: ConsolidationEntry, b: ConsolidationEntry) => a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id);

/** Every proposal for one scope's proposed and accepted entries; each entry is in at most one. */
export function proposalsFor(entries: ConsolidationEntry[]): ProposalDraft[] {
  const live = entries.filter((e) => e.state === "proposed" || e.state === "accepted").sort(byAge);
  const taken = new Set<string>();
  const out: ProposalDraft[] = [];
  // The latest contradiction of each entry wins: it is what is true now.
  for (const [i, older] of live.entries()) {
    const newer = live.slice(i + 1).reverse().find((n) => contradicts(older, n));
    if (!newer) continue;
    taken.add(older.id);
    out.push({ kind: "archive", entryIds: [older.id], text: null, reason: `contradicted by a later entry from ${origin(newer)} (${day(newer.createdAt)})` });
  }
  for (const [i, first] of live.entries()) {
    if (taken.has(first.id)) continue;
    const group = [first, ...live.slice(i + 1).filter((e) => !taken.has(e.id) && duplicates(first, e) && !contradicts(first, e))];
    if (group.length < 2) continue;
    for (const e of group) taken.add(e.id);
    // The accepted entry (the oldest of them) keeps its history and gets the merged text.
    const ordered = [...group].sort((a, b) => Number(b.state === "accepted") - Number(a.state === "accepted") || byAge(a, b));
    out.push({ kind: "merge", entryIds: ordered.map((e) => e.id), text: mergedText(group.map((e) => e.text)), reason: "these say the same thing" });
  }
  for (const e of live) {
    if (taken.has(e.id)) continue;
    const text = absoluteDates(e.text, e.createdAt);
    if (text === e.text) continue;
    const phrases = [...new Set(relativePhrases(e.text).map((p) => `"${p}"`))].join(", ");
    out.push({ kind: "rewrite", entryIds: [e.id], text, reason: `${phrases} made absolute from when it was written (${day(e.createdAt)})` });
  }
  return out;
}

/** How a proposal is recognised as the same one: its kind and its set of entries. */
export const proposalKey = (p: { kind: string; entryIds: string[] }) => `${p.kind}:${[...p.entryIds].sort().join(",")}`;
