// Answers that are made up from the request rather than read from a list: the steps of a
// generated script (long benchmark runs) and the summary a compaction asks for.
import { SUMMARY_REQUEST_MARKER } from "../models/conventions";
import { firstUserText, lastUserText, type MessagesRequest, type Script, type Step } from "./script";

export { SUMMARY_REQUEST_MARKER };

// Tags each generated command; found again in tool calls or in a summary that replaced them, so
// the step count survives compaction, cleared tool results and retries.
const STEP_TAG = "bench-step:";
const STEP_TAG_RE = /bench-step:(\d+)/g;

export function isSummaryRequest(request: MessagesRequest): boolean {
  return lastUserText(request).includes(SUMMARY_REQUEST_MARKER);
}

/** The highest generated step the conversation shows as done (0 when none). */
export function stepsDone(request: MessagesRequest): number {
  const json = JSON.stringify(request.messages);
  let done = 0;
  for (const match of json.matchAll(STEP_TAG_RE)) done = Math.max(done, Number(match[1]));
  return done;
}

export function generatedStep(script: Script, request: MessagesRequest): Step | undefined {
  const gen = script.generate;
  if (!gen) return undefined;
  const n = stepsDone(request) + 1;
  if (n > gen.calls) return { blocks: [{ type: "text", text: gen.finalText }], stopReason: "end_turn" };
  const command = `${gen.commands[(n - 1) % gen.commands.length]} # ${STEP_TAG}${n}`;
  return {
    blocks: [
      { type: "text", text: `Step ${n} of ${gen.calls}: running the next command.` },
      { type: "tool_use", name: gen.tool, input: { command } },
    ],
  };
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** A short, deterministic summary that keeps the task and how far a generated run got. */
export function summaryStep(request: MessagesRequest): Step {
  const task = clip(firstUserText(request).replace(SUMMARY_REQUEST_MARKER, "").trim(), 2000);
  const done = stepsDone(request);
  const lines = [
    "<summary>",
    `Task: ${task || "(none given)"}`,
    done ? `Progress: ${STEP_TAG}${done} finished; carry on with the next step.` : "Progress: work under way.",
    "Decisions: none beyond the task.",
    "</summary>",
  ];
  return { blocks: [{ type: "text", text: lines.join("\n") }], stopReason: "end_turn" };
}
