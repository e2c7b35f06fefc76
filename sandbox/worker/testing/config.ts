// One worker configuration for tests: each test states only what it is about.
import type { WorkerConfig } from "../../../lib/protocol/worker";
import { testAgentUid } from "./layout";

export function testConfig(overrides: Partial<WorkerConfig> = {}): WorkerConfig {
  return {
    sessionId: "s-test",
    model: "claude-test",
    branch: "main",
    baseCommit: "0".repeat(40),
    agentUid: testAgentUid(),
    agentGid: testAgentUid(),
    maxTurns: 10,
    shellTimeoutS: 60,
    toolOutputCap: 4000,
    maxTokens: 2000,
    contextTokens: 200_000,
    maxOutputTokens: 32_000,
    thinkingBudget: null,
    teamInstructions: "",
    agentEnv: {},
    environmentNote: "",
    memoryNote: "",
    routineKind: null,
    mcpStdio: [],
    mcpRemote: [],
    ...overrides,
  };
}
