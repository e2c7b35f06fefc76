// What a person reads when a write fails for want of space: the cause and the place, one line,
// never a stack trace. Used for git's complaints (run.ts), file writes during a launch and the
// health probe's write check.
import path from "node:path";

const NO_SPACE = /No space left on device|ENOSPC|Disk quota exceeded|EDQUOT/i;

/** Does this error or text say the device is full? */
export function isNoSpace(errOrText: unknown): boolean {
  if (typeof errOrText === "string") return NO_SPACE.test(errOrText);
  if (!errOrText || typeof errOrText !== "object") return false;
  const e = errOrText as { code?: unknown; message?: unknown; cause?: unknown };
  if (e.code === "ENOSPC" || e.code === "EDQUOT") return true;
  if (typeof e.message === "string" && NO_SPACE.test(e.message)) return true;
  return e.cause !== undefined && e.cause !== errOrText && isNoSpace(e.cause);
}

export function noSpaceReason(place: string): string {
  return `no space left on the device (${place})`;
}

/**
 * A one-line reason for a failed file operation: "no space left on the device (<where>)" for a
 * full disk, else the error's first line (node puts the path in `err.path`).
 */
export function ioReason(err: unknown, place?: string): string {
  const e = (err ?? {}) as { path?: unknown; message?: unknown };
  const where = place ?? (typeof e.path === "string" ? path.dirname(e.path) : undefined);
  if (isNoSpace(err)) return noSpaceReason(where ?? "the data directory");
  const first = String(e.message ?? err).split("\n").find((l) => l.trim() && !/^\s+at /.test(l)) ?? "unknown error";
  return first.trim().slice(0, 500);
}
