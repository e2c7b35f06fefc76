// "routine: <name>" on a session its routine started (session header, history rows).
import Link from "next/link";
import type { SessionDto } from "../../lib/protocol/api";

export function RoutineMark({ routine }: { routine: SessionDto["routine"] }) {
  if (!routine) return null;
  return (
    <Link href={`/routines#routine-${encodeURIComponent(routine.id)}`} data-testid="session-routine" data-routine-id={routine.id} title="Started by this routine"
      className="inline-flex max-w-full items-center rounded-full bg-violet-500/15 px-2 py-0.5 text-xs font-medium text-violet-700 hover:underline dark:text-violet-300">
      <span className="truncate">routine: {routine.name}</span>
    </Link>
  );
}
