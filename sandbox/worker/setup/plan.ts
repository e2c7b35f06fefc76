// What the host wants done before the first turn (GET /worker/setup), and telling it setup is over
// (POST /worker/setup/done: its egress proxy then switches to the agent's policy).
import { SetupPlanSchema, type SetupDone, type SetupPlan } from "../../../lib/protocol/worker";
import type { Channel } from "../channel";
import { HttpError } from "../errors";

/** The plan; a host that does not know the route (404: older than setups) means nothing to do. */
export async function fetchPlan(channel: Channel, signal: AbortSignal): Promise<SetupPlan> {
  let raw: unknown;
  try {
    raw = await channel.call("GET", "/worker/setup", undefined, { signal, timeoutMs: 30_000 });
  } catch (err) {
    if (err instanceof HttpError && err.status === 404) return { run: "none" };
    throw err;
  }
  const plan = SetupPlanSchema.safeParse(raw);
  if (!plan.success) throw new Error(`the host sent an invalid setup plan: ${plan.error.message}`);
  return plan.data;
}

/** Reports the end of setup, retrying while the host is away; false when it refused the report. */
export async function reportDone(channel: Channel, done: SetupDone, signal: AbortSignal): Promise<boolean> {
  try {
    await channel.call("POST", "/worker/setup/done", done, { signal, timeoutMs: 30_000 });
    return true;
  } catch (err) {
    if (signal.aborted) throw err;
    process.stderr.write(`[worker] the host refused the end of setup: ${String(err)}\n`);
    return false;
  }
}

/** The host's words in an error answer, for a line people read. */
export function describeError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  // A host that refuses a body past its limit answers and closes: the reset may reach the worker
  // before the answer does.
  if (code === "EPIPE" || code === "ECONNRESET") return `the host closed the connection during the transfer (${code}): it may be over the host's size limit`;
  if (!(err instanceof HttpError)) return err instanceof Error ? err.message : String(err);
  let message = err.body.trim();
  try {
    const parsed = JSON.parse(err.body) as { error?: unknown };
    if (typeof parsed.error === "string") message = parsed.error;
  } catch {
    // not JSON
  }
  message = message.slice(0, 300);
  if (err.status === 404) return "the host has no cached environment (404)";
  if (err.status === 413) return `it is larger than the host accepts (413${message ? `: ${message}` : ""})`;
  return `the host answered ${err.status}${message ? `: ${message}` : ""}`;
}
