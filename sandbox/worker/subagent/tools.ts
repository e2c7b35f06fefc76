// Which of the session's tools a subagent gets. Never `task` (no subagents of subagents), and
// not the tools that speak for the whole session: the plan people see (todo_write), the plan
// approval (exit_plan_mode) and a check's verdict (report) are the calling agent's. A read-only
// subagent gets only the tools lib/permissions counts as reading.
import { READ_ONLY_TOOLS } from "../../../lib/permissions/decide";
import type { Tool } from "../tools/tool";

const CALLER_ONLY = new Set(["task", "todo_write", "exit_plan_mode", "report"]);

export function subagentTools(tools: Tool[], opts: { readOnly: boolean }): Tool[] {
  return tools.filter((t) => !CALLER_ONLY.has(t.name) && (!opts.readOnly || READ_ONLY_TOOLS.includes(t.name)));
}
