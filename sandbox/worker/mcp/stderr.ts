// A stdio MCP server's stderr on its way to the transcript (mcp.stderr): masked as it streams
// (the agent's secrets are in the server's environment), coalesced into a few events a second,
// and capped per server: a chatty or hostile server cannot flood the session's log.
import { ev, type NewEvent } from "../../../lib/events/schema";
import { StreamMasker } from "../mask";

/** Flushed at least this often while the server writes. */
const FLUSH_MS = 250;
/** Flushed as soon as this much is waiting. */
const FLUSH_CHARS = 32 * 1024;
/** What one server may write to the transcript over the session. */
export const STDERR_CAP = 1024 * 1024;

export class StderrPipe {
  private readonly masker: StreamMasker;
  private pending = "";
  private shown = 0;
  private capped = false;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly server: string,
    secrets: readonly string[],
    private readonly emit: (e: NewEvent) => void,
  ) {
    this.masker = new StreamMasker(secrets);
  }

  push(text: string): void {
    if (this.capped) return;
    this.take(this.masker.push(text));
  }

  /** The server exited: what the masker held back goes out too. */
  end(): void {
    if (!this.capped) this.take(this.masker.end());
    this.flush();
  }

  private take(text: string): void {
    if (!text) return;
    const room = STDERR_CAP - this.shown;
    if (text.length >= room) {
      this.pending += `${text.slice(0, room)}\n[stderr over ${STDERR_CAP / 1024} KB: the rest of it is not shown]\n`;
      this.capped = true;
      this.flush();
      return;
    }
    this.pending += text;
    this.shown += text.length;
    if (this.pending.length >= FLUSH_CHARS) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), FLUSH_MS);
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (!this.pending) return;
    this.emit(ev("mcp.stderr", { server: this.server, text: this.pending }));
    this.pending = "";
  }
}
