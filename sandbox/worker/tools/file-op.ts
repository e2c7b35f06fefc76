// File tools do their I/O as the agent: root in the container has no CAP_DAC_OVERRIDE (it cannot
// read the agent's 0600 files), would leave root-owned files in the workspace, and must never
// follow a symlink the agent planted towards /run/dockside. So the worker runs the same bundle
// as the agent's uid in file-op mode (`worker.mjs --fileop`: one operation, JSON in and out),
// and treats what that process prints as the agent's words: parsed, bounded, nothing more.
import { spawn } from "node:child_process";
import { z } from "zod";
import { asAgent, mustSwitch, type AgentUser } from "../agent-user";
import { ToolError } from "../errors";
import type { ToolContext, ToolResult } from "./tool";

export const FILE_OPS = ["read_file", "write_file", "edit_file"] as const;
export type FileOpName = (typeof FILE_OPS)[number];

export const FILE_OP_FLAG = "--fileop";
/** Requests carry whole files (write_file content); answers carry at most 2000 numbered lines. */
export const MAX_REQUEST_BYTES = 64 * 1024 * 1024;
const MAX_ANSWER_BYTES = 32 * 1024 * 1024;

export const FileOpRequestSchema = z.object({ workspace: z.string(), tool: z.enum(FILE_OPS), args: z.unknown() });
export type FileOpRequest = z.infer<typeof FileOpRequestSchema>;

export const FileOpAnswerSchema = z.discriminatedUnion("ok", [
  z.object({ ok: z.literal(true), output: z.string().max(MAX_ANSWER_BYTES) }),
  /** toolError: a message for the model (no such file...); otherwise an unexpected failure. */
  z.object({ ok: z.literal(false), error: z.string().max(10_000), toolError: z.boolean() }),
]);
export type FileOpAnswer = z.infer<typeof FileOpAnswerSchema>;

/** Runs `local` as the agent: in this process when the worker already is the agent's uid, else in a helper process. */
export async function fileOp(ctx: ToolContext, tool: FileOpName, args: unknown, local: () => Promise<ToolResult>): Promise<ToolResult> {
  const user: AgentUser = { uid: ctx.config.agentUid, gid: ctx.config.agentGid };
  if (!mustSwitch(user)) return local();
  if (!ctx.workerEntry) throw new Error("no worker bundle to run file operations as the agent");
  const answer = await runHelper(ctx.workerEntry, user, { workspace: ctx.workspace, tool, args }, ctx.signal);
  if (answer.ok) return { output: answer.output };
  throw answer.toolError ? new ToolError(answer.error) : new Error(answer.error);
}

function runHelper(entry: string, user: AgentUser, request: FileOpRequest, signal: AbortSignal): Promise<FileOpAnswer> {
  return new Promise((resolve, reject) => {
    // cwd "/": the helper uses absolute paths, and root may not enter a 0700 workspace.
    const child = spawn(process.execPath, [entry, FILE_OP_FLAG], { cwd: "/", stdio: ["pipe", "pipe", "pipe"], signal, ...asAgent(user) });
    const out: Buffer[] = [];
    let bytes = 0;
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > MAX_ANSWER_BYTES + 1024) return void child.kill("SIGKILL");
      out.push(chunk);
    });
    child.stderr.on("data", (chunk: Buffer) => {
      if (stderr.length < 4000) stderr += chunk.toString("utf8");
    });
    child.stdin.on("error", () => undefined); // it may die before reading; the answer says so
    child.on("error", (err) => reject(new Error(`could not start the file helper: ${err.message}`)));
    child.on("close", (code, sig) => {
      const text = Buffer.concat(out).toString("utf8");
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      const answer = FileOpAnswerSchema.safeParse(parsed);
      if (answer.success) return resolve(answer.data);
      const how = code !== null ? `exit code ${code}` : `killed by ${sig}`;
      reject(new Error(`the file helper gave no valid answer (${how})${stderr ? `: ${stderr.trim().slice(0, 500)}` : ""}`));
    });
    child.stdin.end(JSON.stringify(request));
  });
}
