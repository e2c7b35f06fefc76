// The one place where tool output is cut for the model: the first and last halves of the cap
// are kept, the middle is replaced by a note saying how much was left out. The event log
// (tool.output) keeps everything.

/** Text that keeps at most `cap` bytes (head and tail) however much is appended. */
export class CappedText {
  private head = "";
  private headBytes = 0;
  private tail: string[] = [];
  private tailBytes = 0;
  private total = 0;
  private readonly headCap: number;
  private readonly tailCap: number;

  constructor(readonly cap: number) {
    this.headCap = Math.floor(cap / 2);
    this.tailCap = cap - this.headCap;
  }

  static of(text: string, cap: number): CappedText {
    const capped = new CappedText(cap);
    capped.append(text);
    return capped;
  }

  append(text: string): void {
    let rest = text;
    this.total += Buffer.byteLength(text);
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

  toString(): string {
    const tail = this.tail.join("");
    if (!this.truncated) return this.head + tail;
    const note =
      `\n\n[output cut: ${this.omitted} bytes omitted from the middle; showing the first ${this.headBytes} and ` +
      `last ${this.tailBytes} of ${this.total} bytes. Narrow the command (grep, head, tail, sed -n) to see the rest.]\n\n`;
    return this.head + note + tail;
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
