// remember and recall: the team's memory, shared by every session of the team (lib/memory/ on the
// host). The agent proposes what it learnt with `remember` (a person accepts it before it reaches
// new sessions); `recall` searches what the team already knows. Always in the tool list (the tools
// head the cached prompt prefix).
import { z } from "zod";
import { refusal } from "../agent-host";
import { Interrupted } from "../errors";
import { defineTool, type ToolContext, type ToolResult } from "./tool";

const rememberParameters = z.object({
  text: z
    .string()
    .min(1)
    .max(2000)
    .describe("One fact in short markdown: a build or test command, a convention, a pitfall and its fix, a decision and why. Absolute dates, no secrets."),
  scope: z
    .enum(["repository", "team"])
    .optional()
    .describe("repository (default): true of this repository; team: true of every repository of the team."),
});

export const remember = defineTool({
  name: "remember",
  description:
    "Propose a memory entry for your team: something you learnt that would save a later session time (how to build or test, a convention, " +
    "a pitfall and its fix, a decision). A person reviews it; once accepted, new sessions start with it. Keep it to one durable fact; " +
    "do not store secrets, credentials or anything only true today. Do not repeat what the Team memory section already says.",
  parameters: rememberParameters,
  async execute({ text, scope }, ctx) {
    return hostCall(ctx, async (host) => {
      const r = await host.remember({ callId: ctx.callId, text, scope: scope ?? "repository" }, ctx.signal);
      const what = r.state === "accepted" ? "This is already an accepted entry." : "It waits for a person to accept it.";
      return { output: `Proposed memory entry ${r.id.slice(0, 8)} (${scope ?? "repository"}). ${what}` };
    });
  },
});

const recallParameters = z.object({
  query: z.string().min(1).max(500).describe("Words to search the team's memory for: a command, a file, a topic."),
  limit: z.number().int().min(1).max(20).optional().describe("At most this many entries (default 8)."),
});

export const recall = defineTool({
  name: "recall",
  description:
    "Search your team's memory (entries people accepted, for this repository and team-wide) for what earlier sessions learnt: " +
    "how to build and test, conventions, pitfalls. Use it before you work something out the hard way.",
  parameters: recallParameters,
  async execute({ query, limit }, ctx) {
    return hostCall(ctx, async (host) => {
      const { entries } = await host.recall({ query, limit: limit ?? 8 }, ctx.signal);
      if (!entries.length) return { output: `Nothing in the team's memory matches "${query}".` };
      const lines = entries.map((e) => `- [${e.scope}${e.state === "proposed" ? ", proposed, not yet accepted" : ""}] ${e.text.replace(/\n/g, "\n  ")}`);
      return { output: `${entries.length} memory entr${entries.length === 1 ? "y" : "ies"}:\n${lines.join("\n")}` };
    });
  },
});

/** Calls the host; a refusal (a secret, a limit) is the tool's error result, for the model to read. */
export async function hostCall(ctx: ToolContext, call: (host: NonNullable<ToolContext["agentHost"]>) => Promise<ToolResult>): Promise<ToolResult> {
  if (!ctx.agentHost) return { output: "This tool is not available in this sandbox.", isError: true };
  try {
    return await call(ctx.agentHost);
  } catch (err) {
    if (err instanceof Interrupted || ctx.signal.aborted) throw err;
    const why = refusal(err);
    return { output: why ? `Refused: ${why}` : `The host could not be reached: ${(err as Error).message}`, isError: true };
  }
}
