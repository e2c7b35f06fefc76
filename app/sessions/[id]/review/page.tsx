import type { Metadata } from "next";
import { headers } from "next/headers";
import { preload } from "react-dom";
import { ReviewView } from "@/components/review/review-view";
import { diffUrl } from "@/components/review/lib/range";
import { warmReviewIndex } from "@/lib/review/diff-warm";

type Props = { params: Promise<{ id: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { id } = await params;
  return { title: `Review ${id} · Dockside` };
}

export default async function ReviewPage({ params }: Props) {
  const { id } = await params;
  // The diff's first answer is computed while the browser loads the page (not awaited: the page
  // goes out at once). Whoever may not read the session gets nothing computed.
  void warmReviewIndex(new Headers(await headers()), id).catch(() => {});
  // And the browser asks for it as the page's head arrives, not after the sign-in gate's /api/me:
  // the page's own request (use-diff's prefetchDiff, same URL and mode) takes this answer. The
  // route authorizes it like any other (a signed-out visitor's is a 401 nobody reads).
  preload(diffUrl(id, { view: "index" }), { as: "fetch", crossOrigin: "anonymous" });
  // Keyed by id so moving between sessions starts from a clean review.
  return <ReviewView key={id} id={id} />;
}
