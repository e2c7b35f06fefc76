// What the agent is told about its sandbox in the system prompt: what the network lets it reach
// (so it does not spend steps discovering that the registry is unreachable) and how setup
// prepared the workspace (so it uses the venv or node_modules setup made). Fixed when the sandbox
// starts, like the rest of the prompt's prefix.
import { db } from "../db/client";
import { EGRESS_PRESETS, type EgressPolicy } from "../protocol/environments";
import { sessionEgress } from "./egress-settings";

const SCRIPT_CAP = 6000;

export function networkLine(policy: EgressPolicy): string {
  const via = "HTTP(S) only, through the proxy in HTTP_PROXY/HTTPS_PROXY (already set); there is no DNS or other network";
  if (policy.agent === "none") return "- Network: none. Commands cannot reach the internet or any package registry; every attempt is refused and shown to the person. Work with what is in the workspace.";
  if (policy.agent === "open") return `- Network: any public host (${via}; private and internal addresses are refused).`;
  const hosts = policy.allow.flatMap((a) => (a in EGRESS_PRESETS ? [`${a} (${EGRESS_PRESETS[a as keyof typeof EGRESS_PRESETS].join(", ")})`] : [a]));
  return `- Network: only these hosts (${via}): ${hosts.join("; ") || "none"}. Anything else is refused and shown to the person.`;
}

/** The note for a session's sandbox (empty when there is nothing to say). */
export async function environmentNote(teamId: string, repositoryId: string | null): Promise<string> {
  const policy = await sessionEgress(teamId, repositoryId);
  const lines = [networkLine(policy)];
  const repo = repositoryId ? await db().repository.findUnique({ where: { id: repositoryId }, select: { setupScript: true, team: { select: { allowRepoSetupScript: true } } } }) : null;
  const script = repo?.setupScript?.trim();
  if (script) {
    const shown = script.length > SCRIPT_CAP ? `${script.slice(0, SCRIPT_CAP)}\n# [... cut ...]` : script;
    lines.push(
      "- Setup: before you started, this script ran in /workspace to prepare it (dependencies are installed; its results are kept out of your commits; its output is in the transcript, not here). Use what it made, e.g. activate a virtualenv it created:",
      "```sh\n" + shown.replaceAll("```", "`\u200b``") + "\n```",
    );
  } else if (repo?.team.allowRepoSetupScript) {
    lines.push("- Setup: if the repository has .dockside/setup.sh, it ran in /workspace before you started to prepare it (read it to see what it made).");
  }
  return lines.join("\n");
}
