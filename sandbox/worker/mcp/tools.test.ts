// Which listed tools the model gets: a tool name never reads as another server's tool, so rules
// naming a server's tools (mcp__gh___*) name only that server's.
import { describe, expect, it } from "vitest";
import { matchRule } from "../../../lib/permissions/decide";
import { toolDefs } from "./tools";

const schema = { type: "object", properties: {} };

describe("toolDefs", () => {
  it("skips a tool whose name starts with _: server gh cannot pose as server gh_", () => {
    const { defs, skipped } = toolDefs("gh", "stdio", [{ name: "_x", inputSchema: schema }, { name: "x_", inputSchema: schema }, { name: "Get-Thing2", inputSchema: schema }]);
    expect(defs.map((d) => d.name)).toEqual(["mcp__gh__x_", "mcp__gh__Get-Thing2"]);
    expect(skipped).toEqual([{ tool: "_x", reason: expect.stringMatching(/may not start with _/) }]);
    // What it would have been called: exactly what a rule for server gh_ names.
    expect(matchRule("mcp__gh___*", "mcp__gh___x", {})).toBe(true);
    expect(defs.some((d) => matchRule("mcp__gh___*", d.name, {}))).toBe(false);
  });
});
