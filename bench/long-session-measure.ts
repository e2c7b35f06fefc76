// What the long-session benchmarks measure, from the usage the model stub reported per request
// (the API's own fields): shared by the run through the whole server and the worker-only run.
import type { NewEvent } from "../lib/events/schema";
import { SUMMARY_REQUEST_MARKER } from "../lib/modelstub/generate";
import { lastUserText, MessagesRequestSchema } from "../lib/modelstub/script";
import type { RecordedRequest } from "../lib/modelstub/server";
import { costOf } from "../lib/models/table";
import { median } from "./harness";

export const STEPS = Number(process.env.BENCH_STEPS ?? 300);
export const WINDOW = Number(process.env.BENCH_WINDOW ?? 60_000);
export const FINAL_TEXT = "LONG-SESSION-FINISHED: every step ran.";
// Large outputs (about 3,500 and 4,000 tokens) between smaller ones, as a day's work has them.
export const COMMANDS = ["seq 1 3000", "cat src/values.ts", "git log --oneline -5 && ls -la src", "grep -n 'value1' src/values.ts | head -100"];

export function longRepoFiles(): Record<string, string> {
  const values = Array.from({ length: 400 }, (_, i) => `export const value${i} = ${i} * 2; // keeps the file realistic\n`).join("");
  return { "README.md": "# long session bench\n", "src/values.ts": values };
}

/** The whole result of a run, from its events (server or worker) and what the stub recorded. */
export function report(events: NewEvent[], requests: RecordedRequest[], model: string, extra: Record<string, unknown>) {
  const compactions = events.flatMap((e) => (e.type === "compaction" ? [e.data] : []));
  const lastStatus = events.flatMap((e) => (e.type === "status" ? [e.data] : [])).at(-1);
  const text = events.flatMap((e) => (e.type === "assistant.text" ? [e.data.text] : [])).join("");
  return {
    steps: STEPS,
    window: WINDOW,
    model,
    finished: text.includes(FINAL_TEXT),
    lastStatus: lastStatus ?? null,
    toolCalls: events.filter((e) => e.type === "tool.result").length,
    modelRetries: events.filter((e) => e.type === "model.retry").length,
    ...extra,
    requests: {
      total: requests.length,
      refused: requests.filter((r) => r.status !== undefined && r.status !== 200).length,
      promptTooLong: requests.filter((r) => r.error?.includes("prompt is too long")).length,
    },
    compactions: {
      events: compactions.length,
      clearToolResults: compactions.filter((c) => c.strategy === "clear_tool_results").length,
      summaries: compactions.filter((c) => c.strategy === "summary").length,
      tokensBeforeAfter: compactions.map((c) => [c.tokensBefore, c.tokensAfter]),
    },
    ...measure(requests, model),
  };
}

function maxTokensOf(r: RecordedRequest): number {
  const body = r.body as { max_tokens?: unknown } | null;
  return typeof body?.max_tokens === "number" ? body.max_tokens : 0;
}

const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))] ?? 0;
const round = (x: number, digits = 4) => Number(x.toFixed(digits));

function isSummary(r: RecordedRequest): boolean {
  const parsed = MessagesRequestSchema.safeParse(r.body);
  return parsed.success && lastUserText(parsed.data).includes(SUMMARY_REQUEST_MARKER);
}

export function measure(requests: RecordedRequest[], model: string) {
  const ok = requests.filter((r) => r.status === 200 && r.usage);
  const perStep = ok.map((r, i) => {
    const u = r.usage!;
    const read = u.cache_read_input_tokens ?? 0;
    const write = u.cache_creation_input_tokens ?? 0;
    const prompt = u.input_tokens + read + write;
    const cost = costOf(model, { inputTokens: u.input_tokens, outputTokens: u.output_tokens, cacheReadTokens: read, cacheWriteTokens: write });
    const uncached = costOf(model, { inputTokens: prompt, outputTokens: u.output_tokens });
    const ms = i ? r.at - ok[i - 1].at : 0;
    return { prompt, input: u.input_tokens, read, write, output: u.output_tokens, cost, uncached, ms, summary: isSummary(r) };
  });
  const sum = (f: (s: (typeof perStep)[number]) => number) => perStep.reduce((a, s) => a + f(s), 0);
  const prompt = sum((s) => s.prompt);
  const withCaching = sum((s) => s.cost);
  const withoutCaching = sum((s) => s.uncached);
  const ms = perStep.slice(1).map((s) => s.ms);
  const peak = Math.max(0, ...requests.map((r) => r.promptTokens ?? 0));
  const maxTokens = Math.max(0, ...requests.map(maxTokensOf));
  return {
    modelCalls: { ok: ok.length, summaries: perStep.filter((s) => s.summary).length },
    cacheReadShare: prompt ? round(sum((s) => s.read) / prompt) : 0,
    tokens: { prompt, input: sum((s) => s.input), cacheRead: sum((s) => s.read), cacheWrite: sum((s) => s.write), output: sum((s) => s.output) },
    costUsd: { withCaching: round(withCaching), withoutCaching: round(withoutCaching), ratio: withoutCaching ? round(withCaching / withoutCaching, 3) : 0 },
    peakRequest: { promptTokens: peak, largestMaxTokens: maxTokens, window: WINDOW, share: round(peak / WINDOW, 3) },
    wallMsPerStep: { median: Math.round(median(ms) ?? 0), p95: Math.round(percentile(ms, 0.95)), max: Math.round(Math.max(0, ...ms)) },
    perStep: {
      promptTokens: perStep.map((s) => s.prompt),
      inputTokens: perStep.map((s) => s.input),
      cacheReadTokens: perStep.map((s) => s.read),
      costUsd: perStep.map((s) => round(s.cost, 6)),
      wallMs: perStep.map((s) => s.ms),
    },
  };
}

