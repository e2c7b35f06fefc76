// The companion's one call: PATCH /api/me/companion (the caller's own, never anyone else's).
import { CompanionSchema, type Companion, type CompanionPatch } from "../../lib/protocol/companion";
import { apiJson, type ApiResult } from "../lib/api";

export const patchCompanion = (patch: CompanionPatch): Promise<ApiResult<Companion>> => apiJson("/api/me/companion", CompanionSchema, { method: "PATCH", body: patch });
