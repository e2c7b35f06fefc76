"use client";
// The top bar: where you are (team), where you can go (links your role can use) and who you are.
import Link from "next/link";
import { usePathname } from "next/navigation";
import { useEffect, useRef, useState } from "react";
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

// Below md the links, the team switcher and "Sign out" fold into a menu under a button; the bell
// stays in the bar. From md up the menu's box is `display: contents`, so its parts sit in the bar
// itself (placed by `order`). The menu remembers the page it was opened on: following a link
// closes it.
function SignedInNav({ me, pathname }: { me: MeDto; pathname: string }) {
  const active = useActiveTeam();
  const role = active?.team.role ?? null;
  const [openOn, setOpenOn] = useState<string | null>(null);
  const open = openOn === pathname;
  const menuButton = useRef<HTMLButtonElement>(null);
  // Escape closes the open menu and puts the focus back on its button.
  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== "Escape") return;
      setOpenOn(null);
      menuButton.current?.focus();
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [open]);
  const links = [
    { href: "/", label: "History", testId: "nav-history", show: true },
    { href: "/memory", label: "Memory", testId: "nav-memory", show: role !== null && can(role, "memory.read") },
    { href: "/routines", label: "Routines", testId: "nav-routines", show: role !== null && can(role, "routine.read") },
    { href: "/settings", label: "Settings", testId: "nav-settings", show: true },
    { href: "/settings/tokens", label: "Tokens", testId: "nav-tokens", show: true },
    { href: "/audit", label: "Audit", testId: "nav-audit", show: role !== null && can(role, "audit.read") },
  ];
  const hasTeam = me.teams.length > 0;
  return (
    <>
      <div className="ml-auto flex items-center gap-2 md:order-3">
        {hasTeam && <NotificationBell />}
        <button
          ref={menuButton}
          type="button"
          data-testid="menu-button"
          aria-expanded={open}
          aria-controls="app-menu"
          onClick={() => setOpenOn(open ? null : pathname)}
          className="flex size-9 items-center justify-center rounded-md text-muted hover:bg-sunken hover:text-fg md:hidden"
        >
          <span className="sr-only">{open ? "Close the menu" : "Menu"}</span>
          <svg aria-hidden viewBox="0 0 24 24" className="size-5" fill="none" stroke="currentColor" strokeWidth={1.8} strokeLinecap="round">
            {open ? <path d="M6 6l12 12M18 6L6 18" /> : <path d="M4 7h16M4 12h16M4 17h16" />}
          </svg>
        </button>
      </div>
      <div id="app-menu" data-testid="app-menu" className={`${open ? "flex" : "hidden"} w-full flex-col gap-3 border-t border-line pt-2 pb-1 md:contents`}>
        <nav aria-label="Main" className="flex flex-col text-sm text-muted md:order-2 md:flex-row md:flex-wrap md:items-center md:gap-x-3">
          {links
            .filter((l) => l.show)
            .map((l) => (
              <Link
                key={l.href}
                href={l.href}
                data-testid={l.testId}
                aria-current={pathname === l.href ? "page" : undefined}
                className="py-2 hover:text-fg aria-[current=page]:text-fg md:py-0"
              >
                {l.label}
              </Link>
            ))}
        </nav>
        <div className="flex min-w-0 flex-wrap items-center gap-3 border-t border-line pt-2 text-sm md:order-4 md:flex-nowrap md:border-0 md:pt-0">
          {hasTeam && <TeamSwitcher me={me} activeId={active?.team.id ?? ""} />}
          <span data-testid="user-name" className="min-w-0 truncate text-muted md:hidden lg:inline" title={me.user.email}>
            {me.user.name}
          </span>
          <SignOutButton />
        </div>
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
        className="max-w-48 min-w-0 rounded-md border border-line bg-canvas px-2 py-1 text-sm"
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
    <button type="button" data-testid="signout" onClick={run} disabled={busy} className="ml-auto py-1 text-muted hover:text-fg disabled:opacity-50 md:ml-0 md:py-0">
      {busy ? "Signing out…" : "Sign out"}
    </button>
  );
}
