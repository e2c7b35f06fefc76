import Link from "next/link";

/** What a session page (transcript or review) shows for an id that is not one of the user's sessions. */
export function SessionNotFound({ id }: { id: string }) {
  return (
    <div data-testid="session-not-found" className="p-6">
      <h1 className="text-base font-semibold">Session not found</h1>
      <p className="mt-1 text-sm text-muted">
        There is no session <code className="font-mono">{id}</code>.{" "}
        <Link href="/" className="text-accent hover:underline">
          Back to sessions
        </Link>
      </p>
    </div>
  );
}
