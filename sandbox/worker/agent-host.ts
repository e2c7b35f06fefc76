// The host's side of the agent's own tools, as the worker sees it: `remember` (POST /worker/memory),
// `recall` (POST /worker/recall) and `report` (POST /worker/report). remember and report are
// idempotent by callId on the host, so a resend after a lost answer or a restart stores nothing twice.
import type { RecallRequest, RecallResult, RememberRequest, RememberResult } from "../../lib/protocol/memory";
import { RecallResultSchema, RememberResultSchema } from "../../lib/protocol/memory";
import type { ReportRequest } from "../../lib/protocol/routines";
import type { Channel } from "./channel";
import { HttpError } from "./errors";

export type AgentHost = {
  remember(req: RememberRequest, signal: AbortSignal): Promise<RememberResult>;
  recall(req: RecallRequest, signal: AbortSignal): Promise<RecallResult>;
  report(req: ReportRequest, signal: AbortSignal): Promise<void>;
};

const OPTS = (signal: AbortSignal) => ({ signal, timeoutMs: 30_000 });

export function channelAgentHost(channel: Channel): AgentHost {
  return {
    async remember(req, signal) {
      return RememberResultSchema.parse(await channel.call("POST", "/worker/memory", req, OPTS(signal)));
    },
    async recall(req, signal) {
      return RecallResultSchema.parse(await channel.call("POST", "/worker/recall", req, OPTS(signal)));
    },
    async report(req, signal) {
      await channel.call("POST", "/worker/report", req, OPTS(signal));
    },
  };
}

/** What the host said when it refused a call (its `{error}`), for the model to read. */
export function refusal(err: unknown): string | null {
  if (!(err instanceof HttpError) || err.status >= 500) return null;
  try {
    const body = JSON.parse(err.body) as { error?: unknown };
    if (typeof body.error === "string" && body.error) return body.error.slice(0, 2000);
  } catch {
    // not JSON: fall through to the raw text
  }
  return err.body.slice(0, 2000) || `refused (${err.status})`;
}
