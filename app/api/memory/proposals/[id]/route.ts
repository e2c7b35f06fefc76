// A person's decision on a consolidation proposal: accept (applied as new versions) or reject.
import { readJson, route } from "@/lib/http/handler";
import { authorizeProposal, decideProposal } from "@/lib/memory/proposals";
import { MemoryProposalDecisionSchema } from "@/lib/protocol/memory";

export const dynamic = "force-dynamic";

export const POST = route<{ id: string }>(async ({ req, params, caller }) => {
  const access = await authorizeProposal(caller, params.id, "memory.write");
  const { decision } = await readJson(req, MemoryProposalDecisionSchema);
  return decideProposal(access, params.id, decision);
});
