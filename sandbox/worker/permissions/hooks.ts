// Hooks (the session's permissions.hooks) as the agent: `bash -c <command>` in the workspace, in a
// process group of its own (killed on timeout and on stop), with the agent's environment and
// secrets plus TOOL_NAME and TOOL_INPUT (JSON; post_tool: TOOL_OUTPUT, cut to 64 KB, and
// TOOL_IS_ERROR). What they print (stdout and stderr together) is masked as it streams and kept to
// 16 KB (its start and its end) for the model and the `hook` event.
//  - pre_tool: after the permission decision allowed the call; a non-zero exit blocks it.
//  - post_tool: after the tool; a non-zero exit turns the result into an error.
//  - stop: when the model ends its turn; a failure sends the output back to it (turn.ts).
// The first failing hook of a kind decides; the ones after it do not run. Hooks never run for a
// denied call. Only hooks whose `tools` is absent or names the tool run for it.
import { spawn } from "node:child_process";
import { StringDecoder } from "node:string_decoder";
import type { NewEvent } from "../../../lib/events/schema";
import type { Hook, Hooks } from "../../../lib/protocol/permissions";
import type { WorkerConfig } from "../../../lib/protocol/worker";
import { agentSpawn, agentUserOf } from "../agent-user";
import { secretValues, StreamMasker } from "../mask";
import { childExit } from "../child-exit";

export const HOOK_OUTPUT_CHARS = 16 * 1024;
const HEAD_CHARS = 4 * 1024;
export const TOOL_OUTPUT_BYTES = 64 * 1024;
/** One environment string may not exceed 128 KiB (MAX_ARG_STRLEN): TOOL_INPUT stays well under. */
const TOOL_INPUT_BYTES = 100 * 1024;

export type HookContext = { config: WorkerConfig; workspace: string; signal: AbortSignal; emit(e: NewEvent): void };
export type HookRun = { exitCode: number | null; output: string; /** "exit 2", "timed out after 5 s", ... */ status: string; interrupted: boolean };

/** Runs one hook to its end (or its timeout, or the stop signal). */
export async function runHook(hook: Hook, env: Record<string, string>, ctx: HookContext): Promise<HookRun> {
  const how = agentSpawn(agentUserOf(ctx.config), ctx.workspace, "bash", ["-c", hook.command], { ...ctx.config.agentEnv, ...env, PAGER: "cat", GIT_PAGER: "cat" });
  const out = new HeadTail(HOOK_OUTPUT_CHARS, HEAD_CHARS);
  const secrets = secretValues(ctx.config.agentEnv);
  let child;
  try {
    child = spawn(how.file, how.args, { ...how.options, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  } catch (err) {
    return { exitCode: null, output: `could not start the hook: ${(err as Error).message}`, status: "could not start", interrupted: false };
  }
  let ended: "timeout" | "interrupt" | null = null;
  const killGroup = () => {
    try {
      if (child.pid) process.kill(-child.pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  };
  const kill = (why: "timeout" | "interrupt") => {
    ended ??= why;
    killGroup();
  };
  const timer = setTimeout(() => kill("timeout"), hook.timeoutS * 1000);
  const onAbort = () => kill("interrupt");
  ctx.signal.addEventListener("abort", onAbort, { once: true });
  if (ctx.signal.aborted) onAbort();
  const pipes = [child.stdout, child.stderr];
  for (const pipe of pipes) {
    const decoder = new StringDecoder("utf8");
    const masker = new StreamMasker(secrets);
    pipe.on("data", (chunk: Buffer) => out.append(masker.push(decoder.write(chunk))));
    pipe.on("end", () => out.append(masker.push(decoder.end()) + masker.end()));
  }
  const result = await childExit(child, pipes);
  clearTimeout(timer);
  ctx.signal.removeEventListener("abort", onAbort);
  // Whatever it left running in its group goes too.
  killGroup();
  if (result.error) return { exitCode: null, output: `could not start the hook: ${result.error.message}`, status: "could not start", interrupted: false };
  if (ended === "interrupt") return { exitCode: null, output: out.toString(), status: "interrupted", interrupted: true };
  if (ended === "timeout") {
    return { exitCode: null, output: out.toString() + `\n[timed out after ${hook.timeoutS} s: killed]`, status: `timed out after ${hook.timeoutS} s`, interrupted: false };
  }
  const status = result.code !== null ? `exit ${result.code}` : `killed by ${result.signal}`;
  return { exitCode: result.code, output: out.toString(), status, interrupted: false };
}

const applies = (hook: Hook, tool: string) => !hook.tools || hook.tools.includes(tool);

export type ToolHookContext = HookContext & { callId: string };

/** The pre_tool hooks for this call; the message that blocks it, or null when it may run. */
export async function preToolHooks(hooks: Hooks, tool: string, input: unknown, ctx: ToolHookContext): Promise<string | null> {
  for (const hook of hooks.pre_tool.filter((h) => applies(h, tool))) {
    const run = await runHook(hook, { TOOL_NAME: tool, TOOL_INPUT: toolInputEnv(input) }, ctx);
    if (run.interrupted) return `Not run: stopped while the pre_tool hook \`${hook.command}\` ran.`;
    if (run.exitCode === 0) continue;
    ctx.emit({ type: "hook", data: { hook: "pre_tool", command: hook.command, callId: ctx.callId, exitCode: run.exitCode, output: run.output, blocked: true } });
    return `Blocked by the pre_tool hook \`${hook.command}\` (${run.status}):\n${run.output || "(no output)"}`;
  }
  return null;
}

/** The post_tool hooks for this call; the failure to add to its result, or null. */
export async function postToolHooks(hooks: Hooks, tool: string, input: unknown, result: { output: string; isError: boolean }, ctx: ToolHookContext): Promise<string | null> {
  for (const hook of hooks.post_tool.filter((h) => applies(h, tool))) {
    const env = { TOOL_NAME: tool, TOOL_INPUT: toolInputEnv(input), TOOL_OUTPUT: cutBytes(result.output.replace(/\0/g, ""), TOOL_OUTPUT_BYTES), TOOL_IS_ERROR: String(result.isError) };
    const run = await runHook(hook, env, ctx);
    if (run.interrupted) return `The post_tool hook \`${hook.command}\` was stopped.`;
    if (run.exitCode === 0) continue;
    ctx.emit({ type: "hook", data: { hook: "post_tool", command: hook.command, callId: ctx.callId, exitCode: run.exitCode, output: run.output, blocked: false } });
    return `The post_tool hook \`${hook.command}\` failed (${run.status}):\n${run.output || "(no output)"}`;
  }
  return null;
}

/**
 * The stop hooks, all of them; what the failing ones said (empty: all passed). `sendBack`: the
 * failures go back to the model (the event says blocked: true), else they are only reported.
 */
export async function stopHooks(hooks: Hooks, ctx: HookContext, sendBack: boolean): Promise<string[]> {
  const failures: string[] = [];
  for (const hook of hooks.stop) {
    const run = await runHook(hook, {}, ctx);
    if (run.interrupted) break;
    if (run.exitCode === 0) continue;
    ctx.emit({ type: "hook", data: { hook: "stop", command: hook.command, exitCode: run.exitCode, output: run.output, blocked: sendBack } });
    failures.push(`The stop hook \`${hook.command}\` failed (${run.status}); fix this before you finish:\n${run.output || "(no output)"}`);
  }
  return failures;
}

/** The input as JSON, its longest strings shortened until it fits in one environment variable. */
export function toolInputEnv(input: unknown): string {
  const json = JSON.stringify(input ?? null);
  if (Buffer.byteLength(json) <= TOOL_INPUT_BYTES) return json;
  for (const cap of [16_384, 4096, 1024, 256, 64]) {
    const cut = JSON.stringify(cutStrings(input, cap));
    if (Buffer.byteLength(cut) <= TOOL_INPUT_BYTES) return cut;
  }
  return JSON.stringify({ cut: "the input is too large to pass to a hook" });
}

function cutStrings(v: unknown, cap: number): unknown {
  if (typeof v === "string") return v.length > cap ? `${v.slice(0, cap)}…[cut: ${v.length} characters in all]` : v;
  if (Array.isArray(v)) return v.slice(0, 1000).map((x) => cutStrings(x, cap));
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, cutStrings(x, cap)]));
  return v;
}

function cutBytes(s: string, max: number): string {
  const buf = Buffer.from(s, "utf8");
  return buf.length <= max ? s : buf.subarray(0, max).toString("utf8");
}

/** The first `head` characters and the last of `max` in all, with a note where the middle was cut. */
class HeadTail {
  private headText = "";
  private tail = "";
  private dropped = 0;
  constructor(
    private readonly max: number,
    private readonly head: number,
  ) {}
  append(text: string): void {
    if (!text) return;
    if (this.headText.length < this.head) {
      const take = text.slice(0, this.head - this.headText.length);
      this.headText += take;
      text = text.slice(take.length);
    }
    this.tail += text;
    const keep = this.max - this.head;
    if (this.tail.length > keep * 2) {
      this.dropped += this.tail.length - keep;
      this.tail = this.tail.slice(-keep);
    }
  }
  toString(): string {
    const keep = this.max - this.head;
    const dropped = this.dropped + Math.max(0, this.tail.length - keep);
    const tail = this.tail.slice(-keep);
    return dropped ? `${this.headText}\n[... ${dropped} characters cut ...]\n${tail}` : this.headText + tail;
  }
}
