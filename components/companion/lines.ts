// What the companion says, from local templates only: no model call, nothing leaves the page.
// Which template speaks is picked from the event's seq and the companion's stats, so the same
// session reads the same way for the same person, and lines still vary from one event to the next.
import type { Companion } from "../../lib/protocol/companion";
import { speciesLabel, speciesOf, type Temperament } from "../../lib/companion/species";

export type ReactionKind = "test-failed" | "tests-pass" | "big-diff" | "turn-done" | "long-wait" | "approval-wait" | "merged" | "budget" | "alert" | "failed" | "hello";

/** Facts a line may mention; every value is already short (the caller clips what the agent wrote). */
export interface LineFacts {
  cmd?: string;
  files?: number;
  lines?: number;
  alertKind?: string;
  message?: string;
}

interface Voice extends LineFacts {
  temperament: Temperament;
  species: string;
}

type Template = (v: Voice) => string;

const TEMPLATES: Record<ReactionKind, Template[]> = {
  "test-failed": [
    (v) => `Ouch, \`${v.cmd}\` failed. Want me to keep an eye on the next run?`,
    (v) => `\`${v.cmd}\` failed. The first error is usually the honest one.`,
    (v) => `\`${v.cmd}\` failed: red. My ${v.temperament} ${v.species} instinct says: read it slowly.`,
    (v) => `\`${v.cmd}\` failed. Deep breath; it's only feedback.`,
  ],
  "tests-pass": [
    (v) => `\`${v.cmd}\` passes again. Nicely done!`,
    (v) => `Green again! \`${v.cmd}\` is happy.`,
    (v) => `Back to passing: \`${v.cmd}\`. A ${v.temperament} little cheer from me.`,
  ],
  "big-diff": [
    (v) => `That's a big change: ${v.files} files, ${v.lines} lines. Worth a careful review.`,
    (v) => `Whoa, ${v.lines} lines across ${v.files} files. Maybe review it in pieces?`,
    (v) => `A hefty commit (${v.files} files). Even a ${v.temperament} ${v.species} would read it twice.`,
  ],
  "turn-done": [
    () => "The agent finished this turn. Your move!",
    () => "Turn done. Have a look when you're ready.",
    (v) => `All quiet: the agent is done for now. A ${v.temperament} ${v.species} approves.`,
  ],
  "long-wait": [
    () => "Nothing new for a couple of minutes. I'm keeping watch.",
    (v) => `Still working quietly… a ${v.temperament} ${v.species} can wait.`,
  ],
  "approval-wait": [
    () => "The agent has been waiting for your approval for a minute.",
    () => "Someone's waiting on you: an approval is pending.",
  ],
  merged: [
    () => "Merged! That's one for the books.",
    (v) => `Branch merged. Time for a ${v.temperament} little dance.`,
  ],
  budget: [
    () => "Heads up: the budget is running out.",
    () => "Budget warning. Maybe check the spend before the next turn.",
  ],
  alert: [
    (v) => `Dockside raised a ${v.alertKind} alert: ${v.message}`,
    (v) => `Psst, a ${v.alertKind} alert: ${v.message}`,
  ],
  failed: [
    () => "Oh no, the session failed. The reason is at the top.",
    (v) => `The session failed. It happens, even to a ${v.temperament} ${v.species}; the reason is at the top.`,
  ],
  hello: [
    () => "I'm here. I'll pipe up when something happens.",
    (v) => `Hi! A ${v.temperament} ${v.species}, at your service.`,
  ],
};

/** What to call it: its name once the person chose one, else its species. */
export const companionName = (c: Pick<Companion, "name" | "species">): string => c.name ?? speciesLabel(c.species);

/** "🦦 Pip: Ouch, `npm test` failed. …" */
export function speak(c: Companion, kind: ReactionKind, seq: number, facts: LineFacts = {}): string {
  const species = speciesOf(c.species);
  const templates = TEMPLATES[kind];
  const pick = (seq + (c.stats.cheer ?? 0) + (c.stats.curiosity ?? 0)) % templates.length;
  const text = templates[pick]({ ...facts, temperament: species.temperament, species: species.id });
  return `${c.glyph} ${companionName(c)}: ${text}`;
}
