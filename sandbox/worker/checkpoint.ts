// Commits what a turn changed, so every turn is a point the person can review or go back to.
import type { EventDataOf } from "../../lib/events/schema";
import { run } from "./exec";

export type CommitData = EventDataOf<"commit">;
export type CheckpointInput = { workspace: string; request: string; finalText: string; commands: string[]; interrupted?: boolean };

const SUBJECT_MAX = 72;
const MAX_LISTED = 50;

// Identity and settings for the agent's commits only; hooks and signing could block or prompt.
// safe.directory: the sandbox is single-user, so a workspace owned by another uid (a host that
// did not chown it) must not stop the checkpoint.
const GIT = [
  "-c", "safe.directory=*",
  "-c", "user.name=Dockside Agent",
  "-c", "user.email=agent@dockside.invalid",
  "-c", "core.hooksPath=/dev/null",
  "-c", "commit.gpgsign=false",
];

async function git(workspace: string, args: string[], input?: string): Promise<string> {
  const res = await run("git", [...GIT, ...args], { cwd: workspace, input });
  if (res.code !== 0) throw new Error(`git ${args[0]} failed: ${(res.stderr || res.stdout).trim()}`);
  return res.stdout;
}

/** Stages everything and commits on the current branch; null when the turn changed nothing. */
export async function checkpoint(input: CheckpointInput): Promise<CommitData | null> {
  const { workspace } = input;
  await git(workspace, ["add", "-A"]);
  const changed = (await git(workspace, ["diff", "--cached", "--name-status"])).split("\n").filter(Boolean);
  if (!changed.length) return null;

  const message = commitMessage(input, changed);
  await git(workspace, ["commit", "--quiet", "--no-verify", "-F", "-"], message);
  const sha = (await git(workspace, ["rev-parse", "HEAD"])).trim();
  const stats = await git(workspace, ["show", "--numstat", "--format=", "HEAD"]);
  let insertions = 0;
  let deletions = 0;
  let filesChanged = 0;
  for (const line of stats.split("\n").filter(Boolean)) {
    const [added, removed] = line.split("\t");
    filesChanged++;
    // Binary files show "-" for both counts.
    insertions += Number(added) || 0;
    deletions += Number(removed) || 0;
  }
  return { sha, message, filesChanged, insertions, deletions };
}

export function commitMessage(input: CheckpointInput, changed: string[]): string {
  const subject = subjectFrom(input.request) || subjectFrom(input.finalText) || "Agent changes";
  const lines = [input.interrupted ? clip(`${subject} (interrupted)`) : subject, ""];
  lines.push("Files changed:", ...list(changed.map((c) => `  ${c.replace("\t", " ")}`)));
  if (input.commands.length) {
    lines.push("", "Commands run:", ...list(input.commands.map((c) => `  $ ${oneLine(c, 200)}`)));
  }
  return lines.join("\n") + "\n";
}

/** A subject from free text: its first sentence, politeness trimmed, at most 72 characters. */
export function subjectFrom(text: string): string {
  const first = text.split("\n").map((l) => l.trim()).find(Boolean) ?? "";
  const sentence = first.split(/(?<=[.!?])\s/)[0];
  const bare = sentence.replace(/^(please|pls|could you|can you|would you)\s+/i, "").replace(/[.!?:\s]+$/, "");
  return clip(bare.charAt(0).toUpperCase() + bare.slice(1));
}

function clip(text: string): string {
  if (text.length <= SUBJECT_MAX) return text;
  const cut = text.slice(0, SUBJECT_MAX - 1);
  const space = cut.lastIndexOf(" ");
  return (space > 40 ? cut.slice(0, space) : cut) + "…";
}

const oneLine = (text: string, max: number) => {
  const line = text.replace(/\s*\n\s*/g, " ⏎ ");
  return line.length > max ? line.slice(0, max - 1) + "…" : line;
};

const list = (items: string[]) =>
  items.length > MAX_LISTED ? [...items.slice(0, MAX_LISTED), `  ... and ${items.length - MAX_LISTED} more`] : items;
