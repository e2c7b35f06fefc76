import type { Metadata } from "next";
import { SessionView } from "@/components/session-view";

type Props = { params: Promise<{ id: string }> };

// The page itself puts the session's status and task in the title once it has loaded (use-tab-status.ts).
export const metadata: Metadata = { title: "Session · Dockside" };

export default async function SessionPage({ params }: Props) {
  const { id } = await params;
  // Keyed by id so moving between sessions starts from a clean stream.
  return <SessionView key={id} id={id} />;
}
