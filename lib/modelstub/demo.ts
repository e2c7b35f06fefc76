// The scenario the stub plays when no script matches, so the whole UI can be tried offline
// against any repository: it looks around, reads, writes a file, streams a slow command, sums up.
import { firstUserText, lastUserText, stepIndex, type MessagesRequest, type Step } from "./script";

// Slow enough to look like a model typing, fast enough not to drag in tests.
const typing = { chunkSize: 6, chunkDelayMs: 12 } as const;
const thinkMs = 250;

function say(text: string) {
  return { type: "text" as const, text, ...typing };
}

function quote(text: string, max = 600): string {
  const clipped = text.length > max ? `${text.slice(0, max)}…` : text;
  return (clipped.trim() || "(no task text)")
    .split("\n")
    .map((line) => `> ${line}`)
    .join("\n");
}

function demoNote(task: string): string {
  return [
    "# Dockside demo",
    "",
    "This file was written by the offline demo model, not by Claude.",
    "It shows that tool calls reach the sandbox and that changes appear in the review.",
    "",
    "## The task you gave",
    "",
    quote(task),
    "",
    "## What a real run would do",
    "",
    "- explore the repository",
    "- make the change the task asks for",
    "- run the tests and report back",
    "",
  ].join("\n");
}

const summary = [
  "Done. Here is what this demo run did:",
  "",
  "1. Listed the repository and its latest commits with `shell`.",
  "2. Read `README.md` with `read_file` (an error is fine if there is none).",
  "3. Wrote `DOCKSIDE_DEMO.md` with `write_file`.",
  "4. Ran a command that prints a line every 50 ms, to show live output.",
  "",
  "You can look at the change in the review, or remove it with:",
  "",
  "```sh",
  "rm DOCKSIDE_DEMO.md",
  "```",
  "",
  "This answer came from the offline model stub; set a real API key for real work.",
].join("\n");

// Each step is one model call; the tool results the agent sends back are not inspected.
export function demoStep(request: MessagesRequest): Step {
  const task = firstUserText(request);
  switch (stepIndex(request)) {
    case 0:
      return {
        delayMs: thinkMs,
        blocks: [
          say("I'll start by looking around the repository."),
          { type: "tool_use", name: "shell", input: { command: "ls -la && git log --oneline -5" } },
        ],
      };
    case 1:
      return {
        delayMs: thinkMs,
        blocks: [
          say("Let me read the README to see what this project is about."),
          { type: "tool_use", name: "read_file", input: { path: "README.md" } },
        ],
      };
    case 2:
      return {
        delayMs: thinkMs,
        blocks: [
          say("Now I'll write a short note about this task into the repository."),
          { type: "tool_use", name: "write_file", input: { path: "DOCKSIDE_DEMO.md", content: demoNote(task) } },
        ],
      };
    case 3:
      return {
        delayMs: thinkMs,
        blocks: [
          say("Finally, a command whose output arrives bit by bit."),
          {
            type: "tool_use",
            name: "shell",
            input: { command: "for i in $(seq 1 20); do echo line $i; sleep 0.05; done" },
          },
        ],
      };
    case 4:
      return { delayMs: thinkMs, blocks: [say(summary)], stopReason: "end_turn" };
    default:
      return {
        delayMs: thinkMs,
        blocks: [
          say(
            `You said:\n\n${quote(lastUserText(request))}\n\n` +
              "I'm the offline demo model, so I can only acknowledge follow-ups. " +
              "Start a session with a real API key to have Claude work on this.",
          ),
        ],
        stopReason: "end_turn",
      };
  }
}
