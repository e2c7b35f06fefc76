// Commits what a turn changed, so every turn is a point the person can review or go back to.
// git runs as the agent (git.ts); the host learns of the commit from the bundle it is handed
// (deliver.ts), never from an event.
import type { AgentUser } from "./agent-user";
import { gitOut, resolveCommit } from "./git";

export type CheckpointInput = {
  workspace: string;
  user: AgentUser;
  request: string;
  finalText: string;
  commands: string[];
  interrupted?: boolean;
};

const SUBJECT_MAX = 72;
const MAX_LISTED = 50;

// The agent's commit identity, for checkpoint commits only.
const IDENTITY = ["-c", "user.name=Dockside Agent", "-c", "user.email=agent@dockside.invalid"];

/** Stages everything and commits on the current branch; the new sha, or null when the turn changed nothing. */
export async function checkpoint(input: CheckpointInput): Promise<string | null> {
  const t = { workspace: input.workspace, user: input.user };
  await gitOut(t, ["add", "-A"]);
  const changed = (await gitOut(t, ["diff", "--cached", "--name-status"])).split("\n").filter(Boolean);
  if (!changed.length) return null;
  await gitOut(t, [...IDENTITY, "commit", "--quiet", "--no-verify", "-F", "-"], { input: commitMessage(input, changed) });
  return resolveCommit(t, "HEAD");
}

export function commitMessage(input: Pick<CheckpointInput, "request" | "finalText" | "commands" | "interrupted">, changed: string[]): string {
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
