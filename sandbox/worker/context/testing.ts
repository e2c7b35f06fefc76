// Helpers for the context tests: a config, and a check that a conversation is one the API accepts.
import type { MessageParam } from "@anthropic-ai/sdk/resources/messages";
import type { WorkerConfig } from "../../../lib/protocol/worker";
import { testConfig as baseTestConfig } from "../testing/config";

/** The shared test config with what the context tests assume: a small window, many turns. */
export function testConfig(over: Partial<WorkerConfig> = {}): WorkerConfig {
  return baseTestConfig({ sessionId: "s1", model: "claude-sonnet-4-5", agentUid: 1000, agentGid: 1000, maxTurns: 1000, shellTimeoutS: 30, toolOutputCap: 30_000, contextTokens: 20_000, ...over });
}

/** Problems the API would refuse: roles out of turn, a tool_use without its result or the reverse. */
export function pairingProblems(messages: MessageParam[]): string[] {
  const problems: string[] = [];
  if (messages[0]?.role !== "user") problems.push("the first message is not the user's");
  messages.forEach((m, i) => {
    if (i > 0 && messages[i - 1].role === m.role) problems.push(`two ${m.role} messages in a row at ${i}`);
    const blocks = typeof m.content === "string" ? [] : m.content;
    const uses = blocks.flatMap((b) => (b.type === "tool_use" ? [b.id] : []));
    const next = messages[i + 1];
    const nextResults = new Set(next && typeof next.content !== "string" ? next.content.flatMap((b) => (b.type === "tool_result" ? [b.tool_use_id] : [])) : []);
    for (const id of uses) if (!nextResults.has(id)) problems.push(`tool_use ${id} at ${i} has no result`);
    const prev = messages[i - 1];
    const prevUses = new Set(prev && typeof prev.content !== "string" ? prev.content.flatMap((b) => (b.type === "tool_use" ? [b.id] : [])) : []);
    for (const b of blocks) if (b.type === "tool_result" && !prevUses.has(b.tool_use_id)) problems.push(`tool_result ${b.tool_use_id} at ${i} has no tool_use`);
    const thinking = blocks.findIndex((b) => b.type === "thinking");
    if (thinking > 0) problems.push(`thinking is not first in message ${i}`);
  });
  return problems;
}
