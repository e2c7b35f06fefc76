import type { Metadata } from "next";
import { headers } from "next/headers";
import { Suspense } from "react";
import { ReviewView } from "@/components/review/review-view";
import { initialReview } from "@/lib/review/initial";

type Props = { params: Promise<{ id: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { id } = await params;
  return { title: `Review ${id} · Dockside` };
}

export default async function ReviewPage({ params }: Props) {
  const { id } = await params;
  const h = new Headers(await headers());
  // The header and the page's frame go out at once; the review streams in as soon as the server
  // has the session and the diff's index (its first files' lines in the HTML: painted before any
  // script has run). Meanwhile the browser loads the scripts.
  return (
    <Suspense fallback={<p className="p-6 text-sm text-muted">Loading review…</p>}>
      <LoadedReview id={id} headers={h} />
    </Suspense>
  );
}

async function LoadedReview({ id, headers }: { id: string; headers: Headers }) {
  const initial = await initialReview(headers, id);
  // Keyed by id so moving between sessions starts from a clean review.
  return <ReviewView key={id} id={id} initial={initial} />;
}
