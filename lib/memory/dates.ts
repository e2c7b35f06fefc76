// Relative dates in an entry ("yesterday", "last Friday", "next week") mean nothing a month later:
// consolidation proposes them as absolute dates, computed from when the entry was written (UTC).
// "recently" and the like stay: there is no date to give. Code spans are left alone
// (`git log --since=yesterday` is a command, not a date).

const WEEKDAYS = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];
const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
const DAY_MS = 86_400_000;

const RELATIVE = new RegExp(
  String.raw`\b(?:(since|until|till|before|after|by|from|as of)\s+)?` +
    String.raw`(today|yesterday|tomorrow|tonight|this (?:morning|afternoon|evening)|(?:this|last|next) (?:week|month)|(?:last|next) (?:${WEEKDAYS.join("|")}))\b(?!['’]s)`,
  "gi",
);

const iso = (d: Date) => d.toISOString().slice(0, 10);
const addDays = (d: Date, n: number) => new Date(d.getTime() + n * DAY_MS);

/** The phrase as an absolute date: with a preposition of its own ("since 2026-11-29") and without ("on 2026-11-29"). */
function absolute(phrase: string, day: Date): { bare: string; alone: string } {
  const p = phrase.toLowerCase().replace(/\s+/g, " ");
  const on = (d: Date) => ({ bare: iso(d), alone: `on ${iso(d)}` });
  if (p === "today") return on(day);
  if (p === "yesterday") return on(addDays(day, -1));
  if (p === "tomorrow") return on(addDays(day, 1));
  if (p === "tonight") return { bare: `the evening of ${iso(day)}`, alone: `on the evening of ${iso(day)}` };
  const [which, what] = p.split(" ");
  if (which === "this" && (what === "morning" || what === "afternoon" || what === "evening")) return { bare: `the ${what} of ${iso(day)}`, alone: `on the ${what} of ${iso(day)}` };
  const shift = which === "last" ? -1 : which === "next" ? 1 : 0;
  if (what === "week") {
    const monday = addDays(day, -((day.getUTCDay() + 6) % 7) + 7 * shift);
    return { bare: `the week of ${iso(monday)}`, alone: `in the week of ${iso(monday)}` };
  }
  if (what === "month") {
    const m = new Date(Date.UTC(day.getUTCFullYear(), day.getUTCMonth() + shift, 1));
    const name = `${MONTHS[m.getUTCMonth()]} ${m.getUTCFullYear()}`;
    return { bare: name, alone: `in ${name}` };
  }
  // last/next <weekday>: the nearest one strictly before or after the day it was written.
  const wd = WEEKDAYS.indexOf(what);
  const diff = which === "last" ? -(((day.getUTCDay() - wd + 7) % 7) || 7) : ((wd - day.getUTCDay() + 7) % 7) || 7;
  return on(addDays(day, diff));
}

const capitalised = (s: string, like: string) => (/^[A-Z]/.test(like) ? s[0].toUpperCase() + s.slice(1) : s);

/** `text` with its relative dates made absolute from `writtenAt` (unchanged when it has none). */
export function absoluteDates(text: string, writtenAt: Date): string {
  const day = new Date(Date.UTC(writtenAt.getUTCFullYear(), writtenAt.getUTCMonth(), writtenAt.getUTCDate()));
  // Odd pieces are code (fenced blocks and inline spans), left as they are.
  return text
    .split(/(```[\s\S]*?```|`[^`\n]*`)/)
    .map((part, i) =>
      i % 2
        ? part
        : part.replace(RELATIVE, (match: string, prep: string | undefined, phrase: string) => {
            const a = absolute(phrase, day);
            return capitalised(prep ? `${prep} ${a.bare}` : a.alone, match);
          }),
    )
    .join("");
}

/** The relative phrases `text` holds outside code, as written. */
export function relativePhrases(text: string): string[] {
  const prose = text.replace(/```[\s\S]*?```|`[^`\n]*`/g, " ");
  return [...prose.matchAll(RELATIVE)].map((m) => m[2]);
}
