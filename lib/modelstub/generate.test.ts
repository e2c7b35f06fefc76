// Generated runs and summary requests: the answers long benchmark sessions and compaction rely on.
import Anthropic from "@anthropic-ai/sdk";
import type { Message, MessageParam } from "@anthropic-ai/sdk/resources/messages";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SUMMARY_REQUEST_MARKER } from "./generate";
import { startModelStub, type ModelStub } from "./server";

const model = "claude-sonnet-5-5";
const task = "LONG-RUN: count things for a while";
let stub: ModelStub;
let client: Anthropic;

beforeAll(async () => {
  stub = await startModelStub({
    scripts: [
      { match: "LONG-RUN", generate: { calls: 3, commands: ["seq 1 3000", "cat README.md"], finalText: "Counted." } },
      { match: "always-down", steps: [{ error: { status: 529, type: "overloaded_error", message: "Overloaded" } }] },
    ],
  });
  client = new Anthropic({ baseURL: stub.url, apiKey: "test-key", maxRetries: 0 });
});
afterAll(() => stub.close());

const call = (messages: MessageParam[]) => client.messages.create({ model, max_tokens: 1024, messages });

// What an agent loop appends after a tool call: the assistant turn and its tool result.
function answerTools(message: Message): MessageParam[] {
  const results = message.content.flatMap((b) =>
    b.type === "tool_use" ? [{ type: "tool_result" as const, tool_use_id: b.id, content: "1\n2\n3" }] : [],
  );
  return [{ role: "assistant", content: message.content }, { role: "user", content: results }];
}

const commandOf = (message: Message) => message.content.flatMap((b) => (b.type === "tool_use" ? [b.input] : []))[0];

describe("generated scripts", () => {
  it("makes N tool calls cycling through the commands, then answers the final text", async () => {
    const messages: MessageParam[] = [{ role: "user", content: task }];
    const commands: unknown[] = [];
    for (;;) {
      const message = await call(messages);
      if (message.stop_reason !== "tool_use") {
        expect(message.content).toMatchObject([{ type: "text", text: "Counted." }]);
        break;
      }
      commands.push(commandOf(message));
      messages.push(...answerTools(message));
    }
    expect(commands).toEqual([
      { command: "seq 1 3000 # bench-step:1" },
      { command: "cat README.md # bench-step:2" },
      { command: "seq 1 3000 # bench-step:3" },
    ]);
  });

  it("carries on from a summary after compaction instead of starting over", async () => {
    const summary = await call([
      { role: "user", content: task },
      ...answerTools(await call([{ role: "user", content: task }])),
      { role: "assistant", content: "ok" },
      { role: "user", content: `Summarize the conversation. ${SUMMARY_REQUEST_MARKER}` },
    ]);
    const text = summary.content[0].type === "text" ? summary.content[0].text : "";
    expect(text).toContain("<summary>");
    expect(text).toContain(task);
    expect(text).toContain("bench-step:1");

    const next = await call([{ role: "user", content: `${task}\n\n${text}` }]);
    expect(commandOf(next)).toEqual({ command: "cat README.md # bench-step:2" });
  });

  it("answers a summary request whatever the script says", async () => {
    const message = await call([{ role: "user", content: `always-down ${SUMMARY_REQUEST_MARKER}` }]);
    expect(message.stop_reason).toBe("end_turn");
    expect(message.content[0]).toMatchObject({ type: "text" });
  });
});
