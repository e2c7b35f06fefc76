// The review's paged diff, served from one read of the range. A range is two commit ids, so its
// diff never changes: the first request reads the file list and the whole patch once (two git
// calls, in parallel), keeps the patch cut into per-file chunks, and every page after that only
// parses its own chunks. The index carries the hunks of its first few files, so the page paints
// from one answer. Ranges are kept in a small LRU bounded by patch bytes; a patch too big to keep
// is read per page as before (git-read's diffPage).
import { git } from "../git/run";
import { HOST_GIT } from "../git/host-repo";
import type { DiffFile, DiffJson, DiffPage } from "../protocol/review";
import { chunkNames, parseChunk, splitPatch } from "./diff-parse";
import { AppError } from "../errors";
import { diffIndex, diffPage, diffText, resolveRange, reviewBase } from "./git-read";

const MAX_LINES_PER_FILE = 5_000;
const MAX_LINES_FULL_FILE = 100_000;
/** Patches past this are not kept (nor read whole): pages fall back to a git call each. */
const MAX_PATCH_BYTES = 64 * 1024 * 1024;
/** All kept patches together (UTF-16 in memory: about twice this in bytes). */
const KEPT_BYTES = 96 * 1024 * 1024;
const KEPT_RANGES = 8;
/** The index's leading files with hunks: the client's first page (PAGE_LINES, PAGE_MAX_FILES,
 * FOLD_LINES there). */
const LEAD_LINES = 1_500;
const LEAD_FILES = 60;
const FOLD_LINES = 2_000;

interface RangeDiff {
  index: DiffFile[];
  /** Per-file patch chunks, in index order; null when the patch was too big to keep. */
  chunks: string[] | null;
  bytes: number;
}

// Kept on globalThis: the review page's server render warms what its diff route then serves,
// and the two may be bundled as separate module graphs in one process.
const store: DiffStore = ((globalThis as { __docksideDiffPages?: DiffStore }).__docksideDiffPages ??= {
  ranges: new Map(),
  settled: new Map(),
  leads: new Map(),
  resolved: new Map(),
});
interface DiffStore {
  ranges: Map<string, Promise<RangeDiff>>;
  /** The ranges already read, by the same keys (their size is what the bound counts). */
  settled: Map<string, RangeDiff>;
  /** The index answers (files, the lead's hunks), by the same keys. */
  leads: Map<string, Promise<DiffJson>>;
  resolved: Map<string, Promise<{ from: string; to: string }>>;
}
const { ranges, settled, leads, resolved } = store;
/** Index answers kept (a few hundred KB each for thousands of files). */
const LEADS_KEPT = 16;
const rangeKey = (repo: string, from: string, to: string) => `${repo}\0${from}\0${to}`;

function rangeDiff(repo: string, from: string, to: string): Promise<RangeDiff> {
  const key = rangeKey(repo, from, to);
  const hit = ranges.get(key);
  if (hit) {
    // Most recently used last: eviction takes from the front.
    ranges.delete(key);
    ranges.set(key, hit);
    return hit;
  }
  const p = readRange(repo, from, to);
  ranges.set(key, p);
  p.then(
    (r) => {
      if (!ranges.has(key)) return;
      settled.set(key, r);
      evict();
    },
    () => ranges.delete(key),
  );
  return p;
}

function evict(): void {
  let total = 0;
  for (const r of settled.values()) total += r.bytes;
  for (const key of ranges.keys()) {
    if (total <= KEPT_BYTES && ranges.size <= KEPT_RANGES) return;
    const r = settled.get(key);
    // A range still being read has no size yet; it stays (its readers are waiting on it).
    if (r === undefined) continue;
    ranges.delete(key);
    settled.delete(key);
    total -= r.bytes;
  }
}

async function readRange(repo: string, from: string, to: string): Promise<RangeDiff> {
  const [index, patch] = await Promise.all([diffIndex(repo, from, to), diffText(repo, from, to, MAX_PATCH_BYTES)]);
  const chunks = patch.length >= MAX_PATCH_BYTES ? null : splitPatch(patch);
  // Every listed file has a chunk (a binary one says so in its own), headed with its names; a
  // mismatch means the patch and the list disagree, and pages are then read from git one by one
  // (which checks again and, if they still disagree, says so instead of showing a wrong file).
  const ok = chunks !== null && chunks.length === index.files.length && chunks.every((c, i) => chunkNames(c, index.files[i]));
  return { index: index.files, chunks: ok ? chunks : null, bytes: ok ? patch.length : 0 };
}

function withHunks(f: DiffFile, chunk: string, max: number): DiffFile {
  const { deferred: _, ...rest } = f;
  return { ...rest, ...parseChunk(chunk, max) };
}

/**
 * The range's files; the leading ones (the client's first page) with their hunks. On a first
 * view the whole patch is still being read: the lead comes from a git call on its own paths.
 */
/**
 * `readAhead: false` (the page's server render): the whole patch is not read right after the
 * answer, but when the first page is asked for: read at once, its parse would hold up the very
 * HTML that paints the lead.
 */
export function indexWithLead(repo: string, from: string, to: string, o: { readAhead?: boolean } = {}): Promise<DiffJson> {
  // A range never changes: one answer per range, shared by the page's warm-up and its request.
  const key = rangeKey(repo, from, to);
  let hit = leads.get(key);
  if (hit) leads.delete(key);
  else {
    hit = readIndexWithLead(repo, from, to, o.readAhead ?? true);
    hit.catch(() => leads.delete(key));
  }
  leads.set(key, hit);
  if (leads.size > LEADS_KEPT) leads.delete(leads.keys().next().value as string);
  return hit;
}

async function readIndexWithLead(repo: string, from: string, to: string, readAhead: boolean): Promise<DiffJson> {
  // Already read (a page or an earlier view asked): the lead is cut from it.
  const ready = settled.get(rangeKey(repo, from, to));
  const index = ready?.index ?? (await diffIndex(repo, from, to)).files;
  const n = leadCount(index);
  let lead: DiffFile[];
  if (ready?.chunks) lead = index.slice(0, n).map((f, i) => withHunks(f, ready.chunks![i], MAX_LINES_PER_FILE));
  else {
    lead = n > 0 ? (await diffPage(repo, from, to, 0, n)).files : [];
    // The pages come next: the whole patch is read now, after the answer that paints (on two
    // cores it would only slow that answer down).
    if (readAhead) rangeDiff(repo, from, to).catch(() => {});
  }
  return { from, to, files: [...lead, ...index.slice(lead.length)], truncated: false };
}

// The client's first page (components/review/lib/diff-pager.ts pageStarts, same rule): with it
// in the index, the client has nothing to ask for before painting.
function leadCount(index: readonly DiffFile[]): number {
  let lines = 0;
  for (let i = 0; i < index.length && i < LEAD_FILES; i++) {
    const changed = index[i].additions + index[i].deletions;
    const weight = changed > FOLD_LINES ? 1 : changed;
    if (i > 0 && lines + weight > LEAD_LINES) return i;
    lines += weight;
  }
  return Math.min(index.length, LEAD_FILES);
}

/** Files `offset … offset+limit-1` with their hunks (`full`: a one-file page past the per-file cap). */
export async function cachedPage(repo: string, from: string, to: string, offset: number, limit: number, full: boolean): Promise<DiffPage> {
  const r = await rangeDiff(repo, from, to);
  if (!r.chunks) return diffPage(repo, from, to, offset, limit, full);
  const page = r.index.slice(offset, offset + limit);
  const max = full && page.length === 1 ? MAX_LINES_FULL_FILE : MAX_LINES_PER_FILE;
  return { from, to, offset, files: page.map((f, k) => withHunks(f, r.chunks![offset + k], max)) };
}

// Resolving a range needs the branch's checkpoints (ids only: resolveRange's list carries their
// stats, a diff per checkpoint, too dear for a large one). Its answer depends only on the refs it
// reads, so it is kept per their values; one cheap git call reads them.
const RESOLVED_KEPT = 256;

export async function cachedRange(repo: string, base: string, branch: string, from?: string, to?: string): Promise<{ from: string; to: string }> {
  const want = [`refs/heads/${branch}`, "refs/dockside/origin"];
  const r = await git([...HOST_GIT, "-C", repo, "for-each-ref", "--format=%(refname) %(objectname)", ...want], { timeoutMs: 60_000 });
  // for-each-ref matches by prefix: only the exact refs count.
  const refs = r.code === 0 ? r.stdout.split("\n").filter((l) => want.includes(l.split(" ")[0])) : null;
  if (!refs) return resolveRange(repo, base, branch, from, to);
  const key = [repo, base, branch, from ?? "", to ?? "", ...refs.sort()].join("\0");
  let hit = resolved.get(key);
  if (!hit) {
    hit = resolveIds(repo, base, branch, from, to);
    resolved.set(key, hit);
    hit.catch(() => resolved.delete(key));
    if (resolved.size > RESOLVED_KEPT) resolved.delete(resolved.keys().next().value as string);
  }
  return hit;
}

/** resolveRange's answer from the checkpoints' ids alone (git rev-list, no stats). */
async function resolveIds(repo: string, base: string, branch: string, from?: string, to?: string): Promise<{ from: string; to: string }> {
  const start = await reviewBase(repo, base, branch);
  const r = await git([...HOST_GIT, "-C", repo, "rev-list", "--reverse", `${start}..refs/heads/${branch}`, "--"], { timeoutMs: 60_000 });
  // Whatever went wrong, the full version says so in its own words.
  if (r.code !== 0) return resolveRange(repo, base, branch, from, to);
  const commits = r.stdout.split("\n").filter(Boolean);
  const known = [start, ...commits, base];
  const pick = (want: string | undefined, fallback: string) => {
    if (!want) return fallback;
    const hit = known.find((sha) => sha.startsWith(want));
    if (!hit) throw new AppError("invalid", `${want} is not a checkpoint of this session`);
    return hit;
  };
  return { from: pick(from, start), to: pick(to, commits.length ? commits[commits.length - 1] : start) };
}
