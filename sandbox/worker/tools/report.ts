// report: a check routine's verdict. A routine can be a check ("run the tests and tell me if
// anything regressed"): the agent ends it by reporting `ok` or `attention` with a summary; only
// `attention` alerts people. Always in the tool list (the tools head the cached prompt prefix).
import { z } from "zod";
import { hostCall } from "./memory-tools";
import { defineTool } from "./tool";

const parameters = z.object({
  verdict: z.enum(["ok", "attention"]).describe("ok: nothing needs a person. attention: something regressed, failed or needs a decision."),
  summary: z.string().min(1).max(4000).describe("What you checked and what you found, in a few sentences; for attention, what needs a person."),
});

export const report = defineTool({
  name: "report",
  description:
    "Give the verdict of a check (a routine that asks you to evaluate something, e.g. run the test suite and say whether anything regressed). " +
    "Call it once, at the end, with ok or attention and a short summary; attention alerts the team. Outside a check it just records the verdict.",
  parameters,
  async execute({ verdict, summary }, ctx) {
    return hostCall(ctx, async (host) => {
      await host.report({ callId: ctx.callId, verdict, summary }, ctx.signal);
      const note = ctx.config.routineKind === "check" ? "" : " (this session is not a check routine: it is recorded in the transcript only)";
      return { output: `Reported ${verdict}${note}.` };
    });
  },
});
