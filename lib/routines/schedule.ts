// A routine's schedule: a 5-field cron expression read in an IANA time zone (cron-parser), so
// "0 9 * * *" in Europe/Paris stays at 09:00 local across daylight-saving changes.
import { CronExpressionParser } from "cron-parser";
import { AppError } from "../errors";
import type { Schedule } from "../protocol/routines";

/** Slots counted one by one when a routine was overdue; past this, `missed` says "at least". */
const MISSED_COUNT_LIMIT = 10_000;

const expression = (s: Schedule, from: Date) => CronExpressionParser.parse(s.cron, { currentDate: from, tz: s.tz });

/** The schedule as stored: the cron's fields single-spaced and the zone's canonical name; 422 with the reason otherwise. */
export function checkSchedule(input: Schedule): Schedule {
  const fields = input.cron.trim().split(/\s+/);
  if (fields.length !== 5 || input.cron.includes("@")) {
    throw new AppError("invalid", `schedule.cron must have 5 fields (minute hour day-of-month month day-of-week), e.g. "0 9 * * 1-5"; seconds and @shortcuts are not supported (got "${input.cron}")`);
  }
  if (fields.some((f) => /(^|,)H(?![a-z])/i.test(f))) throw new AppError("invalid", "schedule.cron: hashed (H) fields are not supported; write the minute and hour you want");
  const schedule = { cron: fields.join(" "), tz: canonicalZone(input.tz) };
  try {
    expression(schedule, new Date()).next();
  } catch (err) {
    throw new AppError("invalid", `schedule.cron "${schedule.cron}" is not a valid cron expression: ${(err as Error).message}`);
  }
  return schedule;
}

function canonicalZone(tz: string): string {
  try {
    return new Intl.DateTimeFormat("en", { timeZone: tz }).resolvedOptions().timeZone;
  } catch {
    throw new AppError("invalid", `schedule.tz "${tz}" is not a time zone: use an IANA name such as "Europe/Paris", "America/New_York" or "UTC"`);
  }
}

/** The first slot strictly after `after`. */
export function nextSlot(s: Schedule, after: Date): Date {
  return expression(s, after).next().toDate();
}

/** The latest slot at or before `now` (null when the expression has none). */
export function latestSlot(s: Schedule, now: Date): Date | null {
  const e = expression(s, new Date(now.getTime() + 1));
  return e.hasPrev() ? e.prev().toDate() : null;
}

/** How many slots lie in [from, to): the runs passed over (not stacked). */
export function slotsBetween(s: Schedule, from: Date, to: Date): number {
  const e = expression(s, new Date(from.getTime() - 1));
  let n = 0;
  while (n < MISSED_COUNT_LIMIT && e.next().toDate() < to) n++;
  return n;
}

/** `first` and the slots after it, `count` in all (the "next runs" a person sees). */
export function upcoming(s: Schedule, first: Date, count: number): Date[] {
  const e = expression(s, first);
  return [first, ...e.take(count - 1).map((d) => d.toDate())];
}
