import type { Metadata } from "next";
import { ReviewView } from "@/components/review/review-view";

type Props = { params: Promise<{ id: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { id } = await params;
  return { title: `Review ${id} · Dockside` };
}

export default async function ReviewPage({ params }: Props) {
  const { id } = await params;
  // Keyed by id so moving between sessions starts from a clean review.
  return <ReviewView key={id} id={id} />;
}
