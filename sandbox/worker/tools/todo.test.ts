import { describe, expect, it } from "vitest";
import type { NewEvent } from "../../../lib/events/schema";
import { testConfig } from "../context/testing";
import { TOOLS, toolDefinitions } from "./index";
import { runTool } from "./run-tool";
import { staticPermissions } from "../permissions/host";

function call(input: unknown) {
  const events: NewEvent[] = [];
  const base = { workspace: "/nonexistent", config: testConfig(), signal: new AbortController().signal, emit: (e: NewEvent) => events.push(e), drained: async () => {}, pendingBytes: () => 0, permissions: staticPermissions() };
  return runTool(TOOLS, { id: "toolu_todo", name: "todo_write", input }, base).then((res) => ({ res, events }));
}

describe("todo_write", () => {
  it("replaces the plan, emits it for the session page and confirms briefly", async () => {
    const items = [
      { content: "Find the failing test", status: "completed" },
      { content: "Fix the parser", status: "in_progress" },
      { content: "Run the whole suite", status: "pending" },
    ];
    const { res, events } = await call({ items });
    expect(events.find((e) => e.type === "todo")).toEqual({ type: "todo", data: { items } });
    expect(res.is_error).toBeUndefined();
    expect(res.content).toBe("Todo list updated (3 items: 1 completed, 1 in progress, 1 pending). Now: Fix the parser");
  });

  it("refuses a bad status with an error the model can act on, and emits nothing", async () => {
    const { res, events } = await call({ items: [{ content: "x", status: "doing" }] });
    expect(res.is_error).toBe(true);
    expect(res.content).toMatch(/Invalid arguments for todo_write/);
    expect(events.some((e) => e.type === "todo")).toBe(false);
  });

  it("is offered to the model with a description that says when to use it", () => {
    const def = toolDefinitions().find((d) => d.name === "todo_write");
    expect(def?.description).toMatch(/three or more steps/);
    expect(def?.input_schema).toMatchObject({ type: "object", required: ["items"] });
  });
});
