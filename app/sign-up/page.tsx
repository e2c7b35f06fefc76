import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { SignUpForm } from "@/components/auth/sign-up-form";
import { invitationPath } from "@/components/lib/auth-paths";
import { isFirstRun } from "@/lib/teams/first-user";

export const metadata: Metadata = { title: "Create account · Dockside" };
export const dynamic = "force-dynamic";

type Props = { searchParams: Promise<{ next?: string | string[] }> };

export default async function SignUpPage({ searchParams }: Props) {
  const { next } = await searchParams;
  const target = typeof next === "string" ? next : undefined;
  // Signing up on the way back to an invitation link is signing up through it (and joining).
  const invitation = invitationPath(target);
  if (invitation) redirect(invitation);
  return <SignUpForm next={target} firstRun={await isFirstRun().catch(() => false)} />;
}
