// The setup script's output as people see it: `setup.output` events (the outbox coalesces them),
// every secret value masked even across chunk boundaries, at most MAX_OUTPUT characters stored
// per setup (a note says when the rest was left out), and the tail kept for a failure's reason.
import { StringDecoder } from "node:string_decoder";
import type { NewEvent } from "../../../lib/events/schema";
import { maskText, StreamMasker } from "../mask";

export type Stream = "stdout" | "stderr";

/** Characters of output stored per setup; the rest is counted, not shown. */
export const MAX_OUTPUT = 4 * 1024 * 1024;
const TAIL_KEEP = 8000;

export class SetupLog {
  private stored = 0;
  private cut = false;
  private recent = "";
  private readonly streams: Record<Stream, { decoder: StringDecoder; masker: StreamMasker }>;

  constructor(
    private readonly emit: (e: NewEvent) => void,
    private readonly secrets: string[],
    private readonly cap = MAX_OUTPUT,
  ) {
    const make = () => ({ decoder: new StringDecoder("utf8"), masker: new StreamMasker(secrets) });
    this.streams = { stdout: make(), stderr: make() };
  }

  /** Bytes the script wrote. */
  write(stream: Stream, chunk: Buffer): void {
    const s = this.streams[stream];
    this.text(stream, s.masker.push(s.decoder.write(chunk)));
  }

  /** The script's streams ended: what was held back goes out. */
  end(): void {
    for (const stream of ["stdout", "stderr"] as const) {
      const s = this.streams[stream];
      this.text(stream, s.masker.push(s.decoder.end()) + s.masker.end());
    }
  }

  /** A line of the worker's own among the output (a restore or a snapshot that did not work). */
  note(line: string): void {
    const nl = this.recent && !this.recent.endsWith("\n") ? "\n" : "";
    this.text("stderr", `${nl}${maskText(line, this.secrets)}\n`);
  }

  /** The last `lines` lines of the output (masked), at most `maxChars`. */
  tail(lines = 15, maxChars = 2000): string {
    const text = this.recent.replace(/\s+$/, "").split("\n").slice(-lines).join("\n");
    return text.length > maxChars ? "…" + text.slice(-(maxChars - 1)) : text;
  }

  private text(stream: Stream, text: string): void {
    if (!text) return;
    this.recent = (this.recent + text).slice(-TAIL_KEEP);
    if (this.cut) return;
    const room = this.cap - this.stored;
    const shown = text.length > room ? text.slice(0, room) : text;
    if (shown) this.emit({ type: "setup.output", data: { stream, text: shown } });
    this.stored += shown.length;
    if (shown.length < text.length) {
      this.cut = true;
      const size = this.cap >= 2 ** 20 ? `${Math.round(this.cap / 2 ** 20)} MB` : `${Math.round(this.cap / 1024)} KB`;
      const note = `\n[setup output cut: only the first ${size} are kept]\n`;
      this.emit({ type: "setup.output", data: { stream: "stderr", text: note } });
    }
  }
}
