// Runs a command with bash in the workspace, streaming its output as tool.output events. The
// command gets its own process group so a timeout or an interrupt kills everything it started.
// It runs as the agent's uid with a clean environment: nothing of the worker's (the channel
// socket, its state) is reachable from it; the egress proxy and the secrets meant for the agent
// (config.agentEnv) are there, and their values are masked in the output as it streams.
import { spawn } from "node:child_process";
import { StringDecoder } from "node:string_decoder";
import { z } from "zod";
import { agentSpawn, agentUserOf, killAgentProcesses } from "../agent-user";
import { sessionSecretValues, StreamMasker } from "../mask";
import { memoryLimitMb, oomKills } from "./oom";
import { defineTool } from "./tool";
import { childExit } from "../child-exit";

/** Past this much undelivered output the command's pipes are paused until the host catches up. */
const HIGH_WATER = 8 * 1024 * 1024;
/** After the command exits, how long to wait for background processes to let go of its pipes. */

const parameters = z.object({
  command: z.string().min(1).describe("The bash command line to run (bash -lc) in the workspace."),
  timeout_s: z
    .number()
    .int()
    .positive()
    .max(24 * 3600)
    .optional()
    .describe("Seconds before the command is killed; defaults to the session's shell timeout."),
});

export const shell = defineTool({
  name: "shell",
  description:
    "Run a shell command (bash -lc) in the workspace and return its combined stdout and stderr and exit code. " +
    "There is no network and no stdin. Long output is cut in the middle; filter it (grep, head, tail) instead. " +
    "For servers or other long-running processes, start them in the background with output to a file.",
  parameters,
  async execute({ command, timeout_s }, ctx) {
    const timeoutS = timeout_s ?? ctx.config.shellTimeoutS;
    const oomBefore = oomKills();
    const out = ctx.collector();
    const how = agentSpawn(agentUserOf(ctx.config), ctx.workspace, "bash", ["-lc", command], { ...ctx.config.agentEnv, PAGER: "cat", GIT_PAGER: "cat" });
    const secrets = sessionSecretValues(ctx.config);
    const child = spawn(how.file, how.args, { ...how.options, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    let ended: "timeout" | "interrupt" | null = null;
    const killGroup = (why: "timeout" | "interrupt") => {
      ended ??= why;
      try {
        if (child.pid) process.kill(-child.pid, "SIGKILL");
      } catch {
        // Already gone.
      }
      // What escaped the group (setsid, daemons) goes too.
      killAgentProcesses(agentUserOf(ctx.config));
    };
    const timer = setTimeout(() => killGroup("timeout"), timeoutS * 1000);
    const onAbort = () => killGroup("interrupt");
    ctx.signal.addEventListener("abort", onAbort, { once: true });
    if (ctx.signal.aborted) onAbort();

    let paused = false;
    let lastChar = "\n"; // so the status line starts on a line of its own
    const pipes = [child.stdout, child.stderr] as const;
    for (const [stream, pipe] of [["stdout", child.stdout], ["stderr", child.stderr]] as const) {
      const decoder = new StringDecoder("utf8");
      const masker = new StreamMasker(secrets);
      const forward = (text: string) => {
        if (!text) return;
        out.append(text);
        lastChar = text[text.length - 1];
        ctx.emit({ type: "tool.output", data: { callId: ctx.callId, stream, text } });
      };
      pipe.on("data", (chunk: Buffer) => {
        forward(masker.push(decoder.write(chunk)));
        if (paused || ctx.pendingBytes() <= HIGH_WATER) return;
        // The host is behind: stop reading so the command blocks on its own output.
        paused = true;
        for (const p of pipes) p.pause();
        void ctx.drained(HIGH_WATER / 2).then(() => {
          paused = false;
          for (const p of pipes) p.resume();
        });
      });
      pipe.on("end", () => forward(masker.push(decoder.end()) + masker.end()));
    }

    const result = await childExit(child, pipes);
    clearTimeout(timer);
    ctx.signal.removeEventListener("abort", onAbort);

    if (result.error) return { output: `could not start bash: ${result.error.message}`, isError: true, exitCode: null };
    const nl = lastChar === "\n" ? "" : "\n";
    if (ended === "timeout") {
      out.append(`${nl}[timed out after ${timeoutS} s: the command and everything it started were killed]`);
      return { output: out, isError: true, exitCode: null };
    }
    if (ended === "interrupt") {
      out.append(`${nl}[interrupted: the command and everything it started were killed]`);
      return { output: out, isError: true, exitCode: null };
    }
    const status = result.code !== null ? `exit code ${result.code}` : `killed by ${result.signal}`;
    const oomAfter = oomKills();
    const limit = memoryLimitMb();
    const oom = oomBefore !== null && oomAfter !== null && oomAfter > oomBefore;
    const why = oom ? `; a process was killed for exceeding the sandbox's memory limit${limit ? ` (${limit} MB)` : ""}: use less memory` : "";
    out.append(`${nl}[${status}${why}]`);
    return { output: out, isError: result.code === null, exitCode: result.code };
  },
});
