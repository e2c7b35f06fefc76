// Loads a large diff's hunks in pages, on demand. The review first gets the range's index (every
// file, no hunks: `deferred`); files near the viewport ask for their page here. Pages are runs of
// files of about PAGE_LINES changed lines; the most recently asked-for page loads first (a
// reader who jumps far wants what is on screen now), at most two at a time. A page that fails
// says so on its files (`errorAt`), which ask again when the reader retries.
import type { DiffFile, DiffPage } from "../../../lib/protocol/review";
import type { ApiResult } from "./review-api";
import { FOLD_LINES } from "./diff-size";

export const PAGE_LINES = 1_500;
export const PAGE_MAX_FILES = 60;
const IN_FLIGHT = 2;

export type LoadPage = (offset: number, limit: number, full: boolean, signal: AbortSignal) => Promise<ApiResult<DiffPage>>;

/** Page starts: consecutive files until their changed lines pass PAGE_LINES. */
export function pageStarts(files: readonly DiffFile[]): number[] {
  const starts: number[] = [];
  let lines = Infinity;
  let count = 0;
  files.forEach((f, i) => {
    // Folded files load alone when unfolded, so they don't weigh on a page.
    const weight = f.additions + f.deletions > FOLD_LINES ? 1 : f.additions + f.deletions;
    if (lines + weight > PAGE_LINES || count >= PAGE_MAX_FILES) {
      starts.push(i);
      lines = 0;
      count = 0;
    }
    lines += weight;
    count++;
  });
  return starts;
}

export class DiffPager {
  private files: DiffFile[];
  private readonly starts: number[];
  private readonly pageOf: Int32Array;
  private readonly state = new Map<string, "queued" | "loading" | "done">();
  /** Why a file's page failed, by file index, until it is asked for again. */
  private readonly errors = new Map<number, string>();
  private readonly queue: string[] = [];
  private running = 0;
  private readonly ctl = new AbortController();

  constructor(
    index: readonly DiffFile[],
    private readonly load: LoadPage,
    private readonly onFiles: (files: readonly DiffFile[]) => void,
    private readonly onError: (message: string) => void,
  ) {
    this.files = [...index];
    this.starts = pageStarts(index);
    this.pageOf = new Int32Array(index.length);
    this.starts.forEach((s, p) => this.pageOf.fill(p, s, this.starts[p + 1] ?? index.length));
  }

  /**
   * Asks for file `i`'s hunks (`full`: past the per-file limit, for "Load diff"). A file whose page
   * failed is asked for again only on `retry` (the reader's), not each time it scrolls by.
   */
  demand(i: number, full = false, retry = false): void {
    const f = this.files[i];
    if (!f || (!full && !f.deferred) || (full && !f.tooLarge)) return;
    const key = full ? `full:${i}` : `page:${this.pageOf[i]}`;
    const s = this.state.get(key);
    if (s === "loading" || s === "done") return;
    if (this.errors.has(i) && !retry) return;
    if (this.errors.has(i)) this.mark(full ? i : this.starts[this.pageOf[i]], full ? 1 : this.pageSize(this.pageOf[i]), null);
    if (s === "queued") this.queue.splice(this.queue.indexOf(key), 1);
    this.state.set(key, "queued");
    this.queue.push(key);
    this.pump();
  }

  /** Why file `i`'s hunks could not be loaded (its page failed), if they could not. */
  errorAt(i: number): string | null {
    return this.errors.get(i) ?? null;
  }

  close(): void {
    this.ctl.abort();
  }

  private pump(): void {
    while (this.running < IN_FLIGHT && this.queue.length > 0) {
      const key = this.queue.pop()!;
      this.state.set(key, "loading");
      this.running++;
      void this.fetch(key).finally(() => {
        this.running--;
        this.pump();
      });
    }
  }

  private async fetch(key: string): Promise<void> {
    const [kind, n] = key.split(":");
    const full = kind === "full";
    const offset = full ? Number(n) : this.starts[Number(n)];
    const limit = full ? 1 : this.pageSize(Number(n));
    const res = await this.load(offset, limit, full, this.ctl.signal);
    if (this.ctl.signal.aborted) return;
    if (!res.ok) {
      // Asking again (the reader's Retry) may work: the key is forgotten.
      this.state.delete(key);
      this.onError(res.message);
      this.mark(offset, limit, res.message);
      return;
    }
    this.state.set(key, "done");
    const next = [...this.files];
    res.data.files.forEach((f, k) => {
      // A page answers for the index it was cut from; a file that moved means another range.
      if (next[offset + k]?.path === f.path) next[offset + k] = f;
    });
    this.files = next;
    this.onFiles(next);
  }

  private pageSize(p: number): number {
    return (this.starts[p + 1] ?? this.files.length) - this.starts[p];
  }

  // Sets or clears the error of files offset…offset+limit-1; they become new objects, so their
  // (memoized) views show the change.
  private mark(offset: number, limit: number, message: string | null): void {
    const next = [...this.files];
    for (let i = offset; i < offset + limit && i < next.length; i++) {
      if (message === null) this.errors.delete(i);
      else this.errors.set(i, message);
      next[i] = { ...next[i] };
    }
    this.files = next;
    this.onFiles(next);
  }
}
