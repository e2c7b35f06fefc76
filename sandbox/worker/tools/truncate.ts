// The one place where tool output is cut for the model: the first and last halves of the cap
// are kept, the middle is replaced by a note saying how much was left out and, when the text is
// given a call id, where the whole output is saved (context/output-files.ts) so the agent greps
// it instead of running the command again. The event log (tool.output) keeps everything.
import { OutputFile } from "../context/output-files";

/** Text that keeps at most `cap` bytes (head and tail) however much is appended. */
export class CappedText {
  private head = "";
  private headBytes = 0;
  private tail: string[] = [];
  private tailBytes = 0;
  private total = 0;
  private readonly headCap: number;
  private readonly tailCap: number;

  /** The whole output, opened when the text first outgrows the cap. */
  private file: OutputFile | null = null;
  private fileTried = false;

  /** With `saveAs` (the tool call's id), an output that is cut is saved whole to a file. */
  constructor(
    readonly cap: number,
    private readonly saveAs?: string,
  ) {
    this.headCap = Math.floor(cap / 2);
    this.tailCap = cap - this.headCap;
  }

  static of(text: string, cap: number, saveAs?: string): CappedText {
    const capped = new CappedText(cap, saveAs);
    capped.append(text);
    capped.close();
    return capped;
  }

  append(text: string): void {
    let rest = text;
    const bytes = Buffer.byteLength(text);
    if (this.saveAs && !this.fileTried && this.total + bytes > this.cap) {
      // Until now nothing was left out, so head + tail is everything so far.
      this.fileTried = true;
      this.file = OutputFile.open(this.saveAs);
      this.file?.write(this.head + this.tail.join(""));
    }
    this.file?.write(text);
    this.total += bytes;
    if (this.headBytes < this.headCap) {
      const [fits, over] = splitAtByte(rest, this.headCap - this.headBytes);
      this.head += fits;
      this.headBytes += Buffer.byteLength(fits);
      rest = over;
    }
    if (!rest) return;
    this.tail.push(rest);
    this.tailBytes += Buffer.byteLength(rest);
    while (this.tailBytes > this.tailCap) {
      const first = this.tail[0];
      const firstBytes = Buffer.byteLength(first);
      if (this.tailBytes - firstBytes >= this.tailCap) {
        this.tail.shift();
        this.tailBytes -= firstBytes;
        continue;
      }
      const kept = splitAtByte(first, this.tailBytes - this.tailCap, true)[1];
      this.tail[0] = kept;
      this.tailBytes += Buffer.byteLength(kept) - firstBytes;
    }
  }

  /** Bytes left out of what the model sees. */
  get omitted(): number {
    return this.total - this.headBytes - this.tailBytes;
  }

  get truncated(): boolean {
    return this.omitted > 0;
  }

  /** Where the whole output was saved, if it was cut and the file could be written. */
  get savedTo(): { path: string; bytes: number; partial: boolean } | null {
    return this.file ? { path: this.file.path, bytes: this.file.bytes, partial: this.file.partial } : null;
  }

  /** Closes the saved file (the text itself stays usable). */
  close(): void {
    this.file?.close();
  }

  toString(): string {
    const tail = this.tail.join("");
    if (!this.truncated) return this.head + tail;
    const shown = `${this.omitted} bytes omitted from the middle; showing the first ${this.headBytes} and last ${this.tailBytes} of ${this.total} bytes`;
    const saved = this.savedTo;
    const where = !saved
      ? "Narrow the command (grep, head, tail, sed -n) to see the rest."
      : saved.partial
        ? `The first ${saved.bytes} bytes of the output are saved in ${saved.path}: grep or sed -n it with shell instead of running the command again.`
        : `The whole output (${saved.bytes} bytes) is saved in ${saved.path}: grep or sed -n it with shell instead of running the command again.`;
    return `${this.head}\n\n[output cut: ${shown}. ${where}]\n\n${tail}`;
  }
}

/**
 * Splits `text` after at most `bytes` UTF-8 bytes without cutting a character in two; with
 * `roundUp` the cut moves forward to the next character boundary instead of back.
 */
function splitAtByte(text: string, bytes: number, roundUp = false): [string, string] {
  const buf = Buffer.from(text, "utf8");
  if (buf.length <= bytes) return [text, ""];
  let cut = Math.max(0, bytes);
  const isContinuation = (i: number) => i < buf.length && (buf[i] & 0xc0) === 0x80;
  if (roundUp) while (isContinuation(cut)) cut++;
  else while (cut > 0 && isContinuation(cut)) cut--;
  return [buf.subarray(0, cut).toString("utf8"), buf.subarray(cut).toString("utf8")];
}
