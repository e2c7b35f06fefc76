// Whole tool outputs saved where the agent can read and grep them: a result cut for the model, or
// cleared from the context later, points here instead of asking the agent to run the command
// again. /tmp is the container's tmpfs; the worker (root without CAP_DAC_OVERRIDE) owns the
// directory (0755) and the files (0644), so the agent's uid can read them but not change them.
import fs from "node:fs";
import path from "node:path";

const DEFAULT_DIR = "/tmp/dockside-outputs";
/** tmpfs pages count against the sandbox's memory: one file keeps at most this much. */
export const OUTPUT_FILE_MAX_BYTES = 32 * 1024 * 1024;
/** And all files of this worker process together. */
const TOTAL_MAX_BYTES = 512 * 1024 * 1024;

let dir: string | null = null;
let totalBytes = 0;

/** The directory, made (or checked to be ours) on first use; null when it cannot be. */
export function outputDir(): string | null {
  const wanted = process.env.DOCKSIDE_OUTPUT_DIR ?? DEFAULT_DIR;
  if (dir && dir.startsWith(wanted)) return dir;
  try {
    dir = ownDir(wanted);
  } catch {
    // The agent (which shares /tmp) made the path first: use a fresh directory of our own.
    try {
      dir = fs.mkdtempSync(`${wanted}-`);
      fs.chmodSync(dir, 0o755);
    } catch {
      dir = null;
    }
  }
  return dir;
}

function ownDir(p: string): string {
  try {
    fs.mkdirSync(p, { mode: 0o755 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
  }
  const st = fs.lstatSync(p);
  if (!st.isDirectory() || st.uid !== process.getuid?.()) throw new Error(`${p} is not the worker's directory`);
  fs.chmodSync(p, 0o755);
  return p;
}

/** Where the whole output of a tool call goes (the file may not exist: only cut or cleared outputs are saved). */
export function outputPath(callId: string): string | null {
  const d = outputDir();
  return d ? path.join(d, `${callId.replace(/[^A-Za-z0-9_-]/g, "_")}.txt`) : null;
}

/** A file written as output arrives; it stops growing at OUTPUT_FILE_MAX_BYTES. Never throws. */
export class OutputFile {
  private fd: number | null = null;
  bytes = 0;
  /** True when the file holds less than the whole output (size cap, or a write failed). */
  partial = false;

  private constructor(readonly path: string) {}

  static open(callId: string): OutputFile | null {
    const p = outputPath(callId);
    if (!p || totalBytes >= TOTAL_MAX_BYTES) return null;
    try {
      const file = new OutputFile(p);
      file.fd = fs.openSync(p, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_TRUNC | fs.constants.O_NOFOLLOW, 0o644);
      fs.fchmodSync(file.fd, 0o644);
      return file;
    } catch {
      return null;
    }
  }

  write(text: string): void {
    if (this.fd === null) return;
    const buf = Buffer.from(text, "utf8");
    const room = Math.min(OUTPUT_FILE_MAX_BYTES - this.bytes, TOTAL_MAX_BYTES - totalBytes);
    const part = buf.length > room ? buf.subarray(0, Math.max(0, room)) : buf;
    try {
      if (part.length) fs.writeSync(this.fd, part);
      this.bytes += part.length;
      totalBytes += part.length;
      if (part.length < buf.length) {
        this.partial = true;
        this.close();
      }
    } catch {
      this.partial = true;
      this.close();
    }
  }

  close(): void {
    if (this.fd === null) return;
    try {
      fs.closeSync(this.fd);
    } catch {
      // Nothing left to do with it.
    }
    this.fd = null;
  }
}

/** Saves a whole output at once (a result about to be cleared); returns the path, or null. */
export function saveOutput(callId: string, text: string): string | null {
  const p = outputPath(callId);
  if (p && fs.existsSync(p)) return p;
  const file = OutputFile.open(callId);
  if (!file) return null;
  file.write(text);
  file.close();
  return file.partial ? null : file.path;
}
