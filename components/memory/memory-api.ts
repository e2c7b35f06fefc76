// The Memory API as the browser calls it (every answer parsed with lib/protocol/memory), and the
// words the Memory page and the transcript cards share.
import { z } from "zod";
import { MemoryEntryDtoSchema, MemoryVersionDtoSchema, type MemoryEntryDto, type MemoryPatch, type MemoryState } from "../../lib/protocol/memory";
import { apiJson, type ApiResult } from "../lib/api";
import { repoLabel } from "../lib/format";

/** GET /api/memory/:id */
export const MemoryDetailSchema = z.object({ entry: MemoryEntryDtoSchema, versions: z.array(MemoryVersionDtoSchema) });
export type MemoryDetail = z.infer<typeof MemoryDetailSchema>;

export const entryPath = (id: string) => `/api/memory/${encodeURIComponent(id)}`;

export function patchEntry(id: string, body: MemoryPatch): Promise<ApiResult<MemoryEntryDto>> {
  return apiJson(entryPath(id), MemoryEntryDtoSchema, { method: "PATCH", body });
}

export const STATE_WORDS: Record<MemoryState, string> = {
  proposed: "Proposed",
  accepted: "Accepted",
  archived: "Archived",
  rejected: "Rejected",
};

/** "Team-wide" or the repository as people call it. */
export const scopeLabel = (entry: Pick<MemoryEntryDto, "repo">) => (entry.repo ? repoLabel(entry.repo) : "Team-wide");

export const shortId = (id: string) => id.slice(0, 8);
