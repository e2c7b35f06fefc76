// The active team's memory: list and search entries (with the open consolidation proposals in
// that scope), and write one (accepted at once). Viewers read; members and up write.
import { activeTeam, authorize } from "@/lib/auth/authorize";
import { json, readJson, readQuery, route } from "@/lib/http/handler";
import { createEntry, listMemory } from "@/lib/memory/entries";
import { MemoryCreateSchema, MemoryQuerySchema } from "@/lib/protocol/memory";

export const dynamic = "force-dynamic";

export const GET = route(async ({ req, caller }) => {
  const access = await authorize(caller, await activeTeam(caller), "memory.read");
  return listMemory(access.teamId, readQuery(req, MemoryQuerySchema));
});

export const POST = route(async ({ req, caller }) => {
  const access = await authorize(caller, await activeTeam(caller), "memory.write");
  return json(201, await createEntry(access, await readJson(req, MemoryCreateSchema)));
});
