import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { SignInForm } from "@/components/auth/sign-in-form";
import { signUpHref } from "@/components/lib/auth-paths";
import { isFirstRun } from "@/lib/teams/first-user";

export const metadata: Metadata = { title: "Sign in · Dockside" };
export const dynamic = "force-dynamic";

type Props = { searchParams: Promise<{ next?: string | string[] }> };

export default async function SignInPage({ searchParams }: Props) {
  const { next } = await searchParams;
  const target = typeof next === "string" ? next : undefined;
  // An empty install has nobody to sign in: every page that sends people here opens sign-up.
  // (A database that does not answer yet shows the form; signing in then says why it failed.)
  if (await isFirstRun().catch(() => false)) redirect(signUpHref(target));
  return <SignInForm next={target} />;
}
