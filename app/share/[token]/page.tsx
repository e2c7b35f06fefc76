import type { Metadata } from "next";
import { ShareView } from "@/components/share/share-view";

export const metadata: Metadata = { title: "Shared session · Dockside", robots: { index: false } };

type Props = { params: Promise<{ token: string }> };

export default async function SharePage({ params }: Props) {
  const { token } = await params;
  return <ShareView key={token} token={token} />;
}
