import Link from "next/link";

export default function NotFound() {
  return (
    <div data-testid="not-found" className="mx-auto max-w-xl px-4 py-16 text-center">
      <h1 className="text-lg font-semibold">Page not found</h1>
      <p className="mt-2 text-sm text-muted">
        Nothing lives at this address.{" "}
        <Link href="/" className="text-accent hover:underline">
          Back to sessions
        </Link>
      </p>
    </div>
  );
}
