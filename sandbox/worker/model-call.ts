// A model call that survives the API's bad moments: 429, 5xx, 529/overloaded (also as an error
// event mid-stream) and a dropped connection are retried with backoff that honours retry-after,
// each wait shown as a `model.retry` event. Text streamed before a mid-stream failure stays in
// the transcript and the retry event says the answer starts over; only the complete answer goes
// into the conversation. When it gives up, a ModelError carries a reason a person can act on.
import type Anthropic from "@anthropic-ai/sdk";
import type { MessageParam } from "@anthropic-ai/sdk/resources/messages";
import { ev, type NewEvent } from "../../lib/events/schema";
import { sleep as defaultSleep } from "./channel";
import { Interrupted, ModelError } from "./errors";
import { streamReply, type ModelRequest, type Reply, type ReplyUsage } from "./model";
import { classify, DEFAULT_RETRY, formatWait, waitBefore, type Failure, type RetryPolicy } from "./retry";

export type ModelCallDeps = {
  client: Anthropic;
  signal: AbortSignal;
  emit(e: NewEvent): void;
  retry?: RetryPolicy;
  /** Tests pass one that records the wait and returns at once. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Sees each answered call's usage (a subagent counts its tokens for the transcript). */
  onUsage?(usage: ReplyUsage): void;
};

/** The API answered 400 "prompt is too long": the caller compacts and asks again. */
export class PromptTooLong extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PromptTooLong";
  }
}

/**
 * Calls the model until it answers or a failure is final. `onText(attempt, index, text)` sees
 * streamed text; a new attempt restarts the answer (new blocks).
 */
export async function callModel(
  deps: ModelCallDeps,
  req: ModelRequest,
  onText: (attempt: number, blockIndex: number, text: string) => void = () => undefined,
): Promise<Reply> {
  const policy = deps.retry ?? DEFAULT_RETRY;
  const sleep = deps.sleep ?? defaultSleep;
  for (let attempt = 1; ; attempt++) {
    let streamed = false;
    try {
      const reply = await streamReply(deps.client, req, deps.signal, (index, text) => {
        streamed = true;
        onText(attempt, index, text);
      });
      if (reply.usage) deps.onUsage?.(reply.usage);
      return reply;
    } catch (err) {
      if (err instanceof Interrupted || deps.signal.aborted) throw new Interrupted("aborted");
      const failure = classify(err);
      if (failure.tooLong) throw new PromptTooLong(failure.detail ?? "prompt is too long");
      if (!failure.retryable) throw new ModelError(giveUpReason(failure));
      if (attempt >= policy.maxAttempts) throw new ModelError(`${giveUpReason(failure)} (gave up after ${attempt} attempts); send a message to try again`);
      const waitMs = waitBefore(attempt, failure, policy);
      if (waitMs > policy.maxWaitMs) {
        throw new ModelError(`${failure.what}: the API asks to wait ${formatWait(waitMs)}; send a message to try again after that`);
      }
      const restart = streamed ? " (the answer so far is discarded and starts over)" : "";
      deps.emit(
        ev("model.retry", {
          attempt,
          waitMs,
          reason: `${failure.what}, retrying in ${formatWait(waitMs)}${restart}`,
          ...(failure.status ? { status: failure.status } : {}),
        }),
      );
      await sleep(waitMs, deps.signal);
    }
  }
}

/** The gateway's and the API's own words come through as they are (e.g. "budget reached: $2.01 of $2.00"). */
function giveUpReason(f: Failure): string {
  if (f.status && f.status < 500 && f.status !== 429 && f.detail) return f.detail;
  return f.detail ? `${f.what}: ${f.detail}` : f.what;
}

/** The summary call compaction makes: no tools, its own max_tokens, the same visible retries. */
export async function summarizeWith(
  deps: ModelCallDeps,
  model: string,
  req: { system: string; messages: MessageParam[]; maxTokens: number },
): Promise<string> {
  const reply = await callModel(deps, { model, maxTokens: req.maxTokens, system: req.system, messages: req.messages }).catch((err: unknown) => {
    if (!(err instanceof PromptTooLong)) throw err;
    throw new ModelError(`the conversation is too long even to summarize (${err.message}); start a new session`);
  });
  return reply.content.flatMap((b) => (b.type === "text" ? [b.text] : [])).join("\n");
}
