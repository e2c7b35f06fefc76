// Where comments attach: a (path, side, line) triple turned into one string key, and the
// placement of existing threads on the lines of the diff being shown.
import type { DiffFile, DiffLine, ThreadDto } from "../../../lib/protocol/review";

export type Side = "old" | "new";

export interface LineRef {
  path: string;
  side: Side;
  line: number;
}

/** NUL cannot appear in a git path, so the key can't collide across files. */
export const lineKey = (path: string, side: Side, line: number): string => `${path}\0${side}\0${line}`;

/** The keys a diff line answers to: a context line exists on both sides. */
export function keysOfLine(path: string, l: DiffLine): string[] {
  if (l.type === "del") return l.oldLine === null ? [] : [lineKey(path, "old", l.oldLine)];
  if (l.type === "add") return l.newLine === null ? [] : [lineKey(path, "new", l.newLine)];
  const keys: string[] = [];
  if (l.newLine !== null) keys.push(lineKey(path, "new", l.newLine));
  if (l.oldLine !== null) keys.push(lineKey(path, "old", l.oldLine));
  return keys;
}

/** The side a comment on this line lands on by default: removed lines belong to the old file. */
export function defaultRef(path: string, l: DiffLine): LineRef | null {
  if (l.type === "del") return l.oldLine === null ? null : { path, side: "old", line: l.oldLine };
  return l.newLine === null ? null : { path, side: "new", line: l.newLine };
}

export interface ThreadPlacement {
  /** Per file path: threads keyed by lineKey. */
  inline: Map<string, Map<string, ThreadDto[]>>;
  /** Threads whose line is not in this diff, or whose code has changed since. */
  outdated: ThreadDto[];
}

/**
 * Places each thread on its line when the diff shows that line with the code the thread quoted;
 * otherwise the thread is outdated (listed apart, with its quoted code). Threads on a file whose
 * hunks are still loading are neither, yet.
 */
export function placeThreads(files: readonly DiffFile[], threads: readonly ThreadDto[]): ThreadPlacement {
  const wanted = new Map<string, ThreadDto[]>();
  for (const t of threads) push(wanted, lineKey(t.path, t.side, t.line), t);
  const inline = new Map<string, Map<string, ThreadDto[]>>();
  const placed = new Set<string>();
  // Only files with threads are walked: a large diff's pages arrive often, with many lines.
  const paths = new Set(threads.map((t) => t.path));
  for (const f of files) {
    if (!paths.has(f.path)) continue;
    for (const h of f.hunks) {
      for (const l of h.lines) {
        for (const key of keysOfLine(f.path, l)) {
          const ts = wanted.get(key);
          if (!ts) continue;
          for (const t of ts) {
            if (placed.has(t.id) || !sameCode(t.quotedCode, l.text)) continue;
            placed.add(t.id);
            let byKey = inline.get(f.path);
            if (!byKey) inline.set(f.path, (byKey = new Map()));
            push(byKey, key, t);
          }
        }
      }
    }
  }
  // A file whose hunks have not arrived yet can't say: its threads are placed once they do.
  const pending = new Set(files.filter((f) => f.deferred).map((f) => f.path));
  return { inline, outdated: threads.filter((t) => !placed.has(t.id) && !pending.has(t.path)) };
}

// An empty quote (a server that did not record it) trusts the line number alone.
const sameCode = (quoted: string, text: string) => quoted === "" || quoted.trimEnd() === text.trimEnd();

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

/** Groups items that carry a path by that path (drafts per file). */
export function groupByPath<T extends { path: string }>(items: readonly T[]): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const it of items) push(m, it.path, it);
  return m;
}
