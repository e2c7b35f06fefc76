// exit_plan_mode: in plan mode the agent only reads; when it has a plan it proposes it here, and a
// person approves it (the session then continues in the mode they chose) or sends it back. Outside
// plan mode it does nothing. Always in the tool list, whatever the mode: the tools head the cached
// prompt prefix.
import { z } from "zod";
import { awaitApproval, theirWords } from "../permissions/approval";
import { defineTool } from "./tool";

const parameters = z.object({
  plan: z.string().min(1).max(50_000).describe("The plan, in markdown: what you will change, where, and how you will check it."),
});

export const exitPlanMode = defineTool({
  name: "exit_plan_mode",
  description:
    "In plan mode (you may only read: writes and shell commands are denied), propose your plan for the task and wait for a person to approve it. " +
    "Once approved, the session leaves plan mode and you carry out the plan; if not, revise it as they say and propose it again. " +
    "Outside plan mode this tool does nothing.",
  parameters,
  async execute({ plan }, ctx) {
    const mode = (ctx.current ?? (await ctx.permissions.permissions(ctx.signal))).mode;
    if (mode !== "plan") return { output: `Not in plan mode (the mode is ${mode}): there is no plan to approve; go ahead with the task.` };
    const state = await awaitApproval(ctx, { callId: ctx.callId, kind: "plan", tool: "exit_plan_mode", input: { plan }, reason: "the agent proposes a plan" });
    if (state.status === "approved") {
      const note = state.message?.trim() ? `\nApproved with a note: ${state.message.trim()}` : "";
      return { output: `The plan was approved; mode is now ${state.mode ?? "ask"}: go ahead and carry it out.${note}` };
    }
    return { output: `The plan was not approved: ${theirWords(state)}. Revise it.` };
  },
});
