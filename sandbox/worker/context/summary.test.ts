import { describe, expect, it } from "vitest";
import type { MessageParam } from "@anthropic-ai/sdk/resources/messages";
import { personMessages, rebuild } from "./summary";

const user = (text: string): MessageParam => ({ role: "user", content: [{ type: "text", text }] });
const said = (text: string): MessageParam => ({ role: "assistant", content: [{ type: "text", text }] });

describe("the conversation after a summary", () => {
  it("keeps the task and every message of the person verbatim, across summaries of summaries", () => {
    const first = rebuild([user("TASK-42: fix the parser"), said("on it"), user("also keep the tests green"), said("ok")], "did things", null, 0);
    const second = rebuild([...first, said("more"), user("and update the docs")], "did more things", null, 0);
    expect(personMessages(second)).toEqual(["TASK-42: fix the parser", "also keep the tests green", "and update the docs"]);
    const text = JSON.stringify(second[0]);
    expect(text).toContain("TASK-42: fix the parser");
    expect(text).toContain("did more things");
    expect(text).not.toContain("did things\\n");
  });
});
