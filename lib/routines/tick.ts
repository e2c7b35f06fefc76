// The minute tick (a pg-boss cron job, so one instance runs it per minute; any number may run it
// at once safely). Each due routine fires once for its latest slot: the instance whose
// compare-and-set moves next_run_at forward stores the run, the others change nothing. Slots
// passed over while nobody ticked are counted as missed, never stacked.
import crypto from "node:crypto";
import { db } from "../db/client";
import { sendJob } from "../jobs/boss";
import { flagSilentChecks } from "./check-alerts";
import { capMessage, lockAndCountRecent } from "./runs";
import { latestSlot, nextSlot, slotsBetween } from "./schedule";

/** A run still queued this long after it was stored lost its job (an instance died in between). */
const STUCK_MS = 2 * 60_000;
const BATCH = 500;

export interface TickResult {
  /** Runs stored for a slot and sent to be started. */
  queued: string[];
  /** Runs stored as skipped (over the daily cap). */
  skipped: string[];
  /** Queued runs sent again. */
  resent: string[];
  /** Check runs that ended without a verdict (alerted). */
  silentChecks: number;
}

export async function tickRoutines(now: Date): Promise<TickResult> {
  const out: TickResult = { queued: [], skipped: [], resent: [], silentChecks: 0 };
  const due = await db().routine.findMany({
    where: { enabled: true, cron: { not: null }, tz: { not: null }, nextRunAt: { lte: now } },
    select: { id: true, cron: true, tz: true, nextRunAt: true, dailyCap: true },
    orderBy: { nextRunAt: "asc" },
    take: BATCH,
  });
  for (const r of due) {
    const run = await fireSlot({ ...r, cron: r.cron!, tz: r.tz!, nextRunAt: r.nextRunAt! }, now).catch((err) => {
      console.error(`[routines] tick ${r.id}`, err);
      return null;
    });
    if (run?.state === "skipped") out.skipped.push(run.id);
    if (run?.state === "queued") {
      out.queued.push(run.id);
      await send(run.id);
    }
  }
  const stuck = await db().routineRun.findMany({ where: { state: "queued", createdAt: { lt: new Date(now.getTime() - STUCK_MS) } }, select: { id: true }, take: BATCH });
  for (const { id } of stuck) {
    out.resent.push(id);
    await send(id);
  }
  out.silentChecks = await flagSilentChecks();
  return out;
}

interface DueRoutine {
  id: string;
  cron: string;
  tz: string;
  nextRunAt: Date;
  dailyCap: number;
}

/** Moves the routine past `now` and stores the run for its latest slot; null when another instance did. */
async function fireSlot(r: DueRoutine, now: Date): Promise<{ id: string; state: "queued" | "skipped" } | null> {
  const schedule = { cron: r.cron, tz: r.tz };
  const slot = latestSlot(schedule, now);
  const next = nextSlot(schedule, now);
  const missed = slot && slot > r.nextRunAt ? slotsBetween(schedule, r.nextRunAt, slot) : 0;
  return db().$transaction(async (tx) => {
    const moved = await tx.routine.updateMany({ where: { id: r.id, enabled: true, nextRunAt: r.nextRunAt }, data: { nextRunAt: next } });
    if (!moved.count || !slot || slot < r.nextRunAt) return null;
    const recent = await lockAndCountRecent(tx, r.id, now);
    const over = recent >= r.dailyCap;
    const id = crypto.randomUUID();
    const stored = await tx.routineRun.createMany({
      data: [{ id, routineId: r.id, trigger: "schedule", slot, missed, state: over ? "skipped" : "queued", error: over ? capMessage(recent) : null, createdAt: now }],
      // (routine, slot) is unique: a second guard if two instances ever got this far for one slot.
      skipDuplicates: true,
    });
    return stored.count ? { id, state: over ? "skipped" : "queued" } : null;
  });
}

/** Hands the run to whichever instance takes the job (at once, in this process, without pg-boss). */
async function send(runId: string): Promise<void> {
  await sendJob("routines.run", { runId }, { singletonKey: runId }).catch((err) => console.error(`[routines] run ${runId}`, err));
}
