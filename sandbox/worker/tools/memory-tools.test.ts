// remember, recall and report as the model sees them: what they send the host, and how a host's
// refusal (a secret, a limit) or absence comes back as the tool's error for the model to read.
import { describe, expect, it } from "vitest";
import type { NewEvent } from "../../../lib/events/schema";
import type { AgentHost } from "../agent-host";
import { testConfig } from "../context/testing";
import { HttpError } from "../errors";
import { staticPermissions } from "../permissions/host";
import { TOOLS } from "./index";
import { runTool } from "./run-tool";

function call(name: string, input: unknown, agentHost?: AgentHost, mode: "auto" | "plan" = "auto") {
  const events: NewEvent[] = [];
  const base = {
    workspace: "/nonexistent",
    config: testConfig(),
    signal: new AbortController().signal,
    emit: (e: NewEvent) => events.push(e),
    drained: async () => {},
    pendingBytes: () => 0,
    permissions: staticPermissions({ mode }),
    agentHost,
  };
  return runTool(TOOLS, { id: "toolu_mem", name, input }, base);
}

function host(over: Partial<AgentHost> = {}): AgentHost & { sent: unknown[] } {
  const sent: unknown[] = [];
  return {
    sent,
    remember: async (req) => (sent.push(req), { id: "0123456789abcdef", state: "proposed" }),
    recall: async (req) => (sent.push(req), { entries: [] }),
    report: async (req) => void sent.push(req),
    ...over,
  };
}

describe("remember", () => {
  it("proposes the entry with its call id (the host's idempotency key), even in plan mode", async () => {
    const h = host();
    const res = await call("remember", { text: "Run the tests with `npm run check`." }, h, "plan");
    expect(res.is_error).toBeUndefined();
    expect(res.content).toContain("Proposed memory entry 01234567 (repository). It waits for a person to accept it.");
    expect(h.sent).toEqual([{ callId: "toolu_mem", text: "Run the tests with `npm run check`.", scope: "repository" }]);
  });

  it("answers the host's refusal (a secret) as an error the model reads, with the reason", async () => {
    const refused = host({
      remember: async () => {
        throw new HttpError(422, JSON.stringify({ error: "memory never stores credentials: this looks like a GitHub token (ghp_…)" }));
      },
    });
    const res = await call("remember", { text: "deploy with ghp_x" }, refused);
    expect(res.is_error).toBe(true);
    expect(res.content).toBe("Refused: memory never stores credentials: this looks like a GitHub token (ghp_…)");
  });

  it("says so when the sandbox has no host for it", async () => {
    const res = await call("remember", { text: "x" });
    expect(res.is_error).toBe(true);
    expect(res.content).toMatch(/not available/);
  });
});

describe("recall", () => {
  it("lists what the host found, marking entries not yet accepted", async () => {
    const h = host({
      recall: async () => ({
        entries: [
          { id: "a", text: "Use pnpm.", scope: "team", state: "accepted", createdAt: "2026-11-30T00:00:00Z" },
          { id: "b", text: "Tests need\nDOCKER=1", scope: "repository", state: "proposed", createdAt: "2026-11-30T00:00:00Z" },
        ],
      }),
    });
    const res = await call("recall", { query: "tests" }, h);
    expect(res.content).toBe("2 memory entries:\n- [team] Use pnpm.\n- [repository, proposed, not yet accepted] Tests need\n  DOCKER=1");
  });

  it("says when nothing matches", async () => {
    const res = await call("recall", { query: "deploy" }, host());
    expect(res.content).toBe('Nothing in the team\'s memory matches "deploy".');
  });
});

describe("report", () => {
  it("sends the verdict and notes when the session is not a check", async () => {
    const h = host();
    const res = await call("report", { verdict: "attention", summary: "2 tests regressed" }, h);
    expect(h.sent).toEqual([{ callId: "toolu_mem", verdict: "attention", summary: "2 tests regressed" }]);
    expect(res.content).toMatch(/^Reported attention \(this session is not a check routine/);
  });

  it("refuses a verdict that is neither ok nor attention", async () => {
    const res = await call("report", { verdict: "maybe", summary: "x" }, host());
    expect(res.is_error).toBe(true);
  });
});
