// The allow rule "approve and remember" adds for a tool call: `tool(main argument)`.
// lib/permissions/decide.ts (the worker's rule matcher) owns the real suggestion; until it is
// there this is the same idea: the command for shell, the path for file tools, the pattern for
// glob and grep.
import { RULE_RE } from "../protocol/permissions";

const ARG_KEYS = ["command", "path", "file_path", "pattern"] as const;
const MAX_ARG = 500;

export function suggestRule(tool: string, input: unknown): string {
  const obj = input && typeof input === "object" && !Array.isArray(input) ? (input as Record<string, unknown>) : {};
  const key = ARG_KEYS.find((k) => typeof obj[k] === "string" && (obj[k] as string).trim());
  if (!key) return tool;
  let arg = (obj[key] as string).trim().replace(/\s+/g, " ");
  // Too long for a rule: the start of it, then anything.
  if (arg.length > MAX_ARG) arg = `${arg.slice(0, MAX_ARG - 1)}*`;
  return `${tool}(${arg})`;
}

/** The suggestion, when it is a rule the settings accept; else null. */
export function suggestedRule(kind: string, tool: string, input: unknown): string | null {
  if (kind !== "tool") return null;
  const rule = suggestRule(tool, input);
  return RULE_RE.test(rule) ? rule : null;
}
