import type { Metadata } from "next";
import { InviteView } from "@/components/invite-view";

export const metadata: Metadata = { title: "Invitation · Dockside" };

type Props = { params: Promise<{ token: string }> };

export default async function InvitePage({ params }: Props) {
  const { token } = await params;
  return <InviteView token={token} />;
}
