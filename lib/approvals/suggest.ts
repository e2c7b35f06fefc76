// The allow rule "approve and remember" adds for a tool call: `tool(main argument)`, as the
// worker's rule matcher (lib/permissions/decide.ts) would match it.
import { suggestRule } from "../permissions/decide";
import { RULE_RE } from "../protocol/permissions";

export { suggestRule };

/** The suggestion, when it is a rule the settings accept; else null (plans: always null). */
export function suggestedRule(kind: string, tool: string, input: unknown): string | null {
  if (kind !== "tool") return null;
  const rule = suggestRule(tool, input);
  return RULE_RE.test(rule) ? rule : null;
}
