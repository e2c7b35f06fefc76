// How the transcript and the export read the agent loop's signals, in one place.
import type { EventDataOf } from "./schema";

/**
 * The worker reports a `refusal` stop reason as a model error whose message says so. Narrow on
 * purpose: "Model call failed: refused (400)" is the API turning a request down, an error.
 */
export function isRefusal(data: EventDataOf<"error">): boolean {
  return data.source === "model" && /\brefusal\b|\bmodel (?:refused|declined)\b/i.test(data.message);
}

/**
 * What went wrong, without the wait: the views say "retrying in 8 s" themselves (counting down),
 * and the worker's reason may already carry it ("model overloaded (529), retrying in 8 s").
 */
export function retryWhat(reason: string): string {
  return reason.replace(/,?\s*retrying in [\d.]+\s*(?:ms|s|min)\b/i, "").trim();
}
