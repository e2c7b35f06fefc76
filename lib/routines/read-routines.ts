// Reads: the team's routines (newest first) and a routine's runs (newest first, with each
// session's status).
import { db } from "../db/client";
import type { RoutineDto, RoutineRunDto } from "../protocol/routines";
import { ROUTINE_INCLUDE, routineDtos, runDtos } from "./dto";

const RUNS_SHOWN = 100;

export async function listRoutines(teamId: string): Promise<RoutineDto[]> {
  return routineDtos(await db().routine.findMany({ where: { teamId }, include: ROUTINE_INCLUDE, orderBy: { createdAt: "desc" } }));
}

/** The newest runs of a routine (at most 100). */
export async function listRuns(routineId: string): Promise<RoutineRunDto[]> {
  return runDtos(await db().routineRun.findMany({ where: { routineId }, orderBy: [{ createdAt: "desc" }, { id: "desc" }], take: RUNS_SHOWN }));
}
