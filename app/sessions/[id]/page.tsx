import type { Metadata } from "next";
import { SessionView } from "@/components/session-view";

type Props = { params: Promise<{ id: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { id } = await params;
  return { title: `Session ${id} · Dockside` };
}

export default async function SessionPage({ params }: Props) {
  const { id } = await params;
  // Keyed by id so moving between sessions starts from a clean stream.
  return <SessionView key={id} id={id} />;
}
