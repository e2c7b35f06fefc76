// What the worker and the scripted model agree on about requests: one token estimate (the worker
// sizes its requests by it, the stand-in counts and caches by it) and the marker of a summary
// request. Bundled into the worker: no dependencies.

/** ceil(chars / 4) of the text, or of the JSON of anything else; 0 for empty input. */
export function estimateTokens(value: unknown): number {
  const text = typeof value === "string" ? value : (JSON.stringify(value) ?? "");
  return Math.ceil(text.length / 4);
}

/** The worker puts this in the last user message when it asks the model to summarize. */
export const SUMMARY_REQUEST_MARKER = "<dockside-summary-request>";
