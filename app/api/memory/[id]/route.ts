// One memory entry: read it with its versions; accept, archive, reject or edit it (a new version).
// Another team's entry is not found (404).
import { readJson, route } from "@/lib/http/handler";
import { authorizeEntry, getEntry, patchEntry } from "@/lib/memory/entries";
import { MemoryPatchSchema } from "@/lib/protocol/memory";

export const dynamic = "force-dynamic";

export const GET = route<{ id: string }>(async ({ params, caller }) => {
  const { access } = await authorizeEntry(caller, params.id, "memory.read");
  return getEntry(access.teamId, params.id);
});

export const PATCH = route<{ id: string }>(async ({ req, params, caller }) => {
  const { access } = await authorizeEntry(caller, params.id, "memory.write");
  return patchEntry(access, params.id, await readJson(req, MemoryPatchSchema));
});
