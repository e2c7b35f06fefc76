import Link from "next/link";

/** The way from a session to its review page (placed on the session page). */
export function ReviewLink({ sessionId }: { sessionId: string }) {
  return (
    <Link data-testid="open-review" href={`/sessions/${encodeURIComponent(sessionId)}/review`} className="rounded-md border border-line bg-panel px-2.5 py-1 text-sm hover:border-accent">
      Review changes
    </Link>
  );
}
