// The agent's `report` tool: a check routine's verdict. (Contract; implemented by the routines work.)
import type { ReportRequest } from "../protocol/routines";
import type { AgentCallContext } from "../sessions/agent-context";

/** Records the `report` event and the run's verdict; `attention` raises an alert. Idempotent by callId. */
export async function reportFromAgent(_ctx: AgentCallContext, _req: ReportRequest): Promise<void> {}
