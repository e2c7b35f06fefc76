"use client";
// The top bar: where you are (team), where you can go (links your role can use) and who you are.
import Link from "next/link";
import { usePathname } from "next/navigation";
import { useState } from "react";
import { can } from "../lib/auth/roles";
import type { MeDto } from "../lib/protocol/teams";
import { signInHref } from "./lib/auth-paths";
import { signOut } from "./lib/auth-client";
import { switchTeam } from "./lib/switch-team";
import { NotificationBell } from "./notifications/notification-bell";
import { useActiveTeam, useMe } from "./me-provider";

export function AppHeader() {
  const { state } = useMe();
  const pathname = usePathname();

  return (
    // Wraps onto a second line on a phone rather than making the page scroll sideways.
    <header className="flex min-h-11 shrink-0 flex-wrap items-center gap-x-4 gap-y-1 border-b border-line bg-panel px-4 py-1.5">
      <Link href="/" className="font-semibold tracking-tight" data-testid="home-link">
        Dockside
      </Link>
      {state.kind === "ok" && <SignedInNav me={state.me} pathname={pathname} />}
      {state.kind === "signedOut" && !pathname.startsWith("/sign-") && (
        <Link href={signInHref(pathname)} data-testid="header-signin" className="ml-auto text-sm text-accent hover:underline">
          Sign in
        </Link>
      )}
    </header>
  );
}

function SignedInNav({ me, pathname }: { me: MeDto; pathname: string }) {
  const active = useActiveTeam();
  const role = active?.team.role ?? null;
  const links = [
    { href: "/", label: "History", testId: "nav-history", show: true },
    { href: "/memory", label: "Memory", testId: "nav-memory", show: role !== null && can(role, "memory.read") },
    { href: "/routines", label: "Routines", testId: "nav-routines", show: role !== null && can(role, "routine.read") },
    { href: "/settings", label: "Settings", testId: "nav-settings", show: true },
    { href: "/settings/tokens", label: "Tokens", testId: "nav-tokens", show: true },
    { href: "/audit", label: "Audit", testId: "nav-audit", show: role !== null && can(role, "audit.read") },
  ];
  return (
    <>
      <nav className="flex flex-wrap items-center gap-x-3 text-sm text-muted">
        {links
          .filter((l) => l.show)
          .map((l) => (
            <Link key={l.href} href={l.href} data-testid={l.testId} aria-current={pathname === l.href ? "page" : undefined} className="hover:text-fg aria-[current=page]:text-fg">
              {l.label}
            </Link>
          ))}
      </nav>
      <div className="ml-auto flex min-w-0 items-center gap-3 text-sm">
        {me.teams.length > 0 && <NotificationBell />}
        {me.teams.length > 0 && <TeamSwitcher me={me} activeId={active?.team.id ?? ""} />}
        <span data-testid="user-name" className="hidden truncate text-muted sm:inline" title={me.user.email}>
          {me.user.name}
        </span>
        <SignOutButton />
      </div>
    </>
  );
}

function TeamSwitcher({ me, activeId }: { me: MeDto; activeId: string }) {
  const [busy, setBusy] = useState(false);
  async function change(teamId: string) {
    setBusy(true);
    const failure = await switchTeam(teamId);
    if (failure) {
      setBusy(false);
      window.alert(failure);
    }
  }
  return (
    <>
      <label htmlFor="team-switcher" className="sr-only">
        Team
      </label>
      <select
        id="team-switcher"
        data-testid="team-switcher"
        value={activeId}
        disabled={busy}
        onChange={(e) => void change(e.target.value)}
        className="max-w-40 min-w-0 rounded-md border border-line bg-canvas px-2 py-1 text-sm sm:max-w-48"
      >
        {me.teams.map((t) => (
          <option key={t.id} value={t.id}>
            {t.name}
          </option>
        ))}
      </select>
    </>
  );
}

function SignOutButton() {
  const [busy, setBusy] = useState(false);
  async function run() {
    setBusy(true);
    await signOut();
    // A full load drops the socket and every cached view of the old account.
    window.location.assign("/sign-in");
  }
  return (
    <button type="button" data-testid="signout" onClick={run} disabled={busy} className="text-muted hover:text-fg disabled:opacity-50">
      {busy ? "Signing out…" : "Sign out"}
    </button>
  );
}
