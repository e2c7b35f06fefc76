// One stdio server on its own (no worker): restarts stop after a bounded series, and a server
// that keeps dying is reported failed, its tools then answering with why.
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { NewEvent } from "../../../lib/events/schema";
import { MAX_RESTARTS, StdioServer } from "./stdio-server";

const FIXTURE = path.resolve(__dirname, "../../../test/fixtures/mcp/server.mjs");

describe("a stdio MCP server", () => {
  it(`is restarted at most ${MAX_RESTARTS} times in a row, then reported failed`, async () => {
    const events: NewEvent[] = [];
    const me = { uid: process.getuid!(), gid: process.getgid!() };
    const server = new StdioServer(
      { name: "flaky", command: process.execPath, args: [FIXTURE] },
      { user: me, workspace: os.tmpdir(), agentEnv: {}, secrets: [], emit: (e) => events.push(e), startTimeoutMs: 10_000 },
    );
    await server.start();
    const opts = { signal: new AbortController().signal, timeoutMs: 10_000 };
    for (let i = 0; i <= MAX_RESTARTS; i++) {
      expect((await server.call("crash", {}, opts)).text).toMatch(/exited while this call ran/);
    }
    const after = await server.call("echo", { text: "x" }, opts);
    expect(after.isError).toBe(true);
    expect(after.text).toMatch(/The MCP server flaky is not running: it exited \(exit code 3\) after 4 restarts in a row/);
    const states = events.flatMap((e) => (e.type === "mcp.server" ? [e.data.state] : []));
    expect(states).toEqual([...Array(MAX_RESTARTS).fill("restarted"), "failed"]);
    await server.close();
  }, 60_000);
});
