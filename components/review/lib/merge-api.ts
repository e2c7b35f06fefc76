// The merge guard rails' calls: what merging would do now, starting the merge (a background job,
// answered 202 at once) with an optional override reason, and the merge's progress. A 409 for
// conflicts carries the files, which the shared wrapper drops.
import { z } from "zod";
import { MergeabilitySchema, MergeJobAnswerSchema, type MergeInput, type MergeJob } from "../../../lib/protocol/review";
import { apiJson } from "../../lib/api";

export type MergeStrategy = MergeInput["strategy"];
export type MergeOutcome =
  | { kind: "started"; merge: MergeJob }
  | { kind: "conflict"; message: string; conflicts: string[] }
  | { kind: "error"; message: string };

const ErrorSchema = z.object({ error: z.object({ code: z.string(), message: z.string(), conflicts: z.array(z.string()).optional() }) });
const base = (id: string) => `/api/sessions/${encodeURIComponent(id)}`;

export const loadMergeability = (id: string, signal?: AbortSignal) => apiJson(`${base(id)}/mergeability`, MergeabilitySchema, { signal });
/** The session's latest merge (null: never merged here), for its progress and result. */
export const loadMerge = (id: string, signal?: AbortSignal) => apiJson(`${base(id)}/merge`, MergeJobAnswerSchema, { signal });

export async function mergeSession(id: string, input: MergeInput): Promise<MergeOutcome> {
  let res: Response;
  try {
    res = await fetch(`${base(id)}/merge`, { method: "POST", headers: { accept: "application/json", "content-type": "application/json" }, body: JSON.stringify(input), cache: "no-store" });
  } catch {
    return { kind: "error", message: "Can't reach the Dockside server. Check that it is running." };
  }
  const body: unknown = await res.json().catch(() => null);
  if (res.ok) {
    const ok = MergeJobAnswerSchema.safeParse(body);
    return ok.success && ok.data.merge ? { kind: "started", merge: ok.data.merge } : { kind: "error", message: "The server sent a response in an unexpected shape." };
  }
  const err = ErrorSchema.safeParse(body);
  if (!err.success) return { kind: "error", message: `The server answered ${res.status} ${res.statusText}`.trim() };
  const conflicts = err.data.error.conflicts;
  if (res.status === 409 && conflicts) return { kind: "conflict", message: err.data.error.message, conflicts };
  return { kind: "error", message: err.data.error.message };
}
