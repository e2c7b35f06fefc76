// Runs one tool call for the model: emits tool.call, validates the arguments, asks the host for the
// session's permissions and decides (lib/permissions/decide.ts: deny, ask a person, allow), runs the
// pre_tool hooks, executes, runs the post_tool hooks, caps what the model sees, emits tool.result.
// Any failure becomes an error result the model reads. The harness enforces the rules, never the
// model: a host that cannot be asked means the call is denied, never allowed.
import path from "node:path";
import { z } from "zod";
import { run } from "../exec";
import { agentUserOf } from "../agent-user";
import { decide, strictest } from "../../../lib/permissions/decide";
import type { WorkerPermissions } from "../../../lib/protocol/permissions";
import { Interrupted, ToolError } from "../errors";
import { maskText, sessionSecretValues } from "../mask";
import { awaitApproval, theirWords } from "../permissions/approval";
import { postToolHooks, preToolHooks } from "../permissions/hooks";
import type { Tool, ToolContext } from "./tool";
import { CappedText } from "./truncate";

export type ToolUse = { id: string; name: string; input: unknown };
export type ToolResultBlock = { type: "tool_result"; tool_use_id: string; content: string; is_error?: boolean };
export type RunContext = Omit<ToolContext, "callId" | "collector" | "current">;

type Outcome = { output: string | CappedText; isError: boolean; exitCode?: number | null; tokens?: number; ran?: { tool: Tool; input: unknown; perms: WorkerPermissions; note?: string } };

/** `announce: false`: the call's tool.call event was emitted before (a call asked again after a restart). */
export async function runTool(tools: Tool[], use: ToolUse, base: RunContext, opts: { announce?: boolean } = {}): Promise<ToolResultBlock> {
  const ctx: ToolContext = { ...base, callId: use.id, collector: () => new CappedText(base.config.toolOutputCap, use.id) };
  if (opts.announce !== false) ctx.emit({ type: "tool.call", data: { callId: use.id, name: use.name, input: use.input } });
  const started = Date.now();
  const outcome = await execute(tools, use, ctx);
  const capped = outcome.output instanceof CappedText ? outcome.output : CappedText.of(outcome.output, base.config.toolOutputCap, use.id);
  capped.close();
  const secrets = sessionSecretValues(base.config);
  // The agent's secrets are in its commands' environment, never in what is shown (shell masks as it streams).
  let text = maskText(capped.toString(), secrets) || "(no output)";
  let isError = outcome.isError;
  if (outcome.ran) {
    const { tool, input, perms, note } = outcome.ran;
    if (note) text += `\n\n${note}`;
    const failed = await postToolHooks(perms.hooks, tool.name, input, { output: text, isError }, ctx).catch((err: unknown) =>
      ctx.signal.aborted ? null : `The post_tool hooks could not run: ${err instanceof Error ? err.message : String(err)}`,
    );
    if (failed) {
      text += `\n\n${maskText(failed, secrets)}`;
      isError = true;
    }
  }
  ctx.emit({
    type: "tool.result",
    data: {
      callId: use.id,
      isError,
      exitCode: outcome.exitCode,
      output: text,
      truncated: capped.truncated,
      durationMs: Date.now() - started,
      ...(outcome.tokens !== undefined ? { tokens: outcome.tokens } : {}),
    },
  });
  return { type: "tool_result", tool_use_id: use.id, content: text, ...(isError ? { is_error: true } : {}) };
}

const denied = (output: string): Outcome => ({ output, isError: true, exitCode: null });

async function execute(tools: Tool[], use: ToolUse, ctx: ToolContext): Promise<Outcome> {
  const tool = tools.find((t) => t.name === use.name);
  if (!tool) {
    const names = tools.map((t) => t.name).join(", ");
    return { output: `Unknown tool ${use.name}; the tools are: ${names}.`, isError: true, exitCode: null };
  }
  const args = tool.parameters.safeParse(use.input);
  if (!args.success) {
    return { output: `Invalid arguments for ${tool.name}:\n${z.prettifyError(args.error)}\nFix them and call the tool again.`, isError: true, exitCode: null };
  }
  try {
    const gate = await permit(tool, args.data, ctx);
    if ("refusal" in gate) return denied(gate.refusal);
    const perms = gate.perms;
    ctx.current = perms;
    const blocked = await preToolHooks(perms.hooks, tool.name, args.data, ctx);
    if (blocked) return denied(blocked);
    const ran = { tool, input: args.data, perms, ...(gate.note ? { note: gate.note } : {}) };
    try {
      const result = await tool.execute(args.data, ctx);
      return { output: result.output, isError: result.isError ?? false, exitCode: result.exitCode, ...(result.tokens !== undefined ? { tokens: result.tokens } : {}), ran };
    } catch (err) {
      if (err instanceof Interrupted) return denied(`${tool.name} was stopped.`);
      const message = err instanceof ToolError ? err.message : `${tool.name} failed: ${err instanceof Error ? err.message : String(err)}`;
      return { output: message, isError: true, exitCode: null, ran };
    }
  } catch (err) {
    // Asking the host or running the pre_tool hooks failed: the call does not run.
    if (ctx.signal.aborted || err instanceof Interrupted) return denied("Not run: the worker was stopped.");
    return denied(`${tool.name} failed: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** The host's permissions and the decision for this call, after a person's approval when one is needed. */
async function permit(tool: Tool, input: unknown, ctx: ToolContext): Promise<{ perms: WorkerPermissions; note?: string } | { refusal: string }> {
  let perms: WorkerPermissions;
  try {
    perms = await ctx.permissions.permissions(ctx.signal);
  } catch (err) {
    if (ctx.signal.aborted) throw new Interrupted("aborted");
    process.stderr.write(`[worker] GET /worker/permissions failed: ${String(err)}\n`);
    return { refusal: "Denied: the host could not be asked for permission; try again later." };
  }
  let decision = decide(perms.mode, perms.rules, tool.name, input, { workspace: ctx.workspace });
  // A file tool reaches what its path resolves to: a symlink with an allowed name (made by the
  // agent, or committed in the repository) must not open a denied file. Both are decided.
  const real = decision.action === "deny" ? null : await realTarget(tool.name, input, ctx);
  if (real) decision = strictest([decision, decide(perms.mode, perms.rules, tool.name, { ...(input as object), path: real }, { workspace: ctx.workspace })]);
  if (decision.action === "deny") return { refusal: `Denied: ${decision.reason}` };
  // exit_plan_mode asks a person for the plan itself: no second approval for the call.
  if (decision.action === "allow" || tool.name === "exit_plan_mode") return { perms };
  let state;
  try {
    state = await awaitApproval(ctx, { callId: ctx.callId, kind: "tool", tool: tool.name, input, reason: decision.reason });
  } catch (err) {
    if (ctx.signal.aborted) throw new Interrupted("aborted");
    process.stderr.write(`[worker] the approval of ${ctx.callId} failed: ${String(err)}\n`);
    return { refusal: `Denied: the host could not be asked for approval (${err instanceof Error ? err.message : String(err)}).` };
  }
  if (state.status !== "approved") return { refusal: `Denied by a person: ${theirWords(state)}` };
  // The decision may have come with changed settings (hooks): read them again.
  try {
    perms = await ctx.permissions.permissions(ctx.signal);
  } catch {
    // The approval stands; the hooks read before it apply.
  }
  const message = state.message?.trim();
  return { perms, ...(message ? { note: `Approved with a note: ${message}` } : {}) };
}

const PATH_TOOLS = new Set(["read_file", "write_file", "edit_file"]);

/** Where a file tool's path really leads (symlinks resolved, as the agent), when that differs from the path as written. */
async function realTarget(tool: string, input: unknown, ctx: ToolContext): Promise<string | null> {
  const p = (input as { path?: unknown } | null)?.path;
  if (!PATH_TOOLS.has(tool) || typeof p !== "string" || !p) return null;
  const r = await run("realpath", ["-m", "--", p], { cwd: ctx.workspace, user: agentUserOf(ctx.config), signal: ctx.signal, timeoutMs: 10_000 });
  const real = r.code === 0 ? r.stdout.replace(/\n$/, "") : "";
  if (!real) return null;
  return real === path.posix.resolve(ctx.workspace, p) ? null : real;
}
