// The environment's part of the transcript fold: the setup block (one per setup phase, with its
// output in a bounded terminal like a tool's) and the egress proxy's refusals.
import type { EventDataOf } from "../../lib/events/schema";
import { terminalText, visibleText } from "../../lib/text/visible";
import { appendOutput, EMPTY_OUTPUT } from "./output-buffer";
import type { Base, SetupItem, TranscriptItem } from "./transcript";

/** What these folds touch of the transcript state (mutable copies, as in applyEvents). */
interface Draft {
  items: TranscriptItem[];
  openSetup: number | null;
}

function setupAt(s: Draft): SetupItem | undefined {
  const item = s.openSetup === null ? undefined : s.items[s.openSetup];
  return item?.kind === "setup" ? item : undefined;
}

// A failure's reason carries the log's tail: terminal text, shown as such.
function setupFields(d: EventDataOf<"setup">) {
  return { state: d.state, source: d.source, durationMs: d.durationMs, exitCode: d.exitCode, reason: d.reason === undefined ? undefined : terminalText(d.reason) };
}

function openSetupBlock(s: Draft, base: Base, d: EventDataOf<"setup">): SetupItem {
  const item: SetupItem = { ...base, kind: "setup", output: EMPTY_OUTPUT, ...setupFields(d) };
  s.openSetup = s.items.length;
  s.items.push(item);
  return item;
}

/** `running` starts a block; an outcome closes the running one, or stands alone (a restored snapshot, a skipped setup). */
export function applySetup(s: Draft, base: Base, d: EventDataOf<"setup">): void {
  const open = setupAt(s);
  if (d.state === "running" || !open || open.state !== "running") {
    openSetupBlock(s, base, d);
    return;
  }
  const fields = setupFields(d);
  s.items[s.openSetup!] = { ...open, ...fields, source: fields.source ?? open.source, interrupted: false };
}

/** Output goes to the latest setup block; output without one (should not happen) opens one rather than vanish. */
export function applySetupOutput(s: Draft, base: Base, d: EventDataOf<"setup.output">, cap: number): void {
  const setup = setupAt(s) ?? openSetupBlock(s, base, { state: "running" });
  s.items[s.openSetup!] = { ...setup, output: appendOutput(setup.output, d.stream, d.text, cap) };
}

/** The session stopped working while setup ran: it will never report an outcome. */
export function interruptSetup(s: Draft): void {
  const setup = setupAt(s);
  if (setup?.state === "running" && !setup.interrupted) s.items[s.openSetup!] = { ...setup, interrupted: true };
}

/** Refusals of the same host:port in a row fold into one line that counts them. */
export function applyEgress(s: Draft, base: Base, d: EventDataOf<"egress.blocked">): void {
  const count = 1 + (d.repeats ?? 0);
  const host = visibleText(d.host);
  const reason = visibleText(d.reason);
  const last = s.items[s.items.length - 1];
  if (last?.kind === "egress" && last.host === host && last.port === d.port && last.phase === d.phase) {
    s.items[s.items.length - 1] = { ...last, count: last.count + count, reason };
    return;
  }
  s.items.push({ ...base, kind: "egress", host, port: d.port, phase: d.phase, reason, count });
}
