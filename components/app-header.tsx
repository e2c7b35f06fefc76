import Link from "next/link";

export function AppHeader() {
  return (
    <header className="flex h-11 shrink-0 items-center gap-4 border-b border-line bg-panel px-4">
      <Link href="/" className="font-semibold tracking-tight" data-testid="home-link">
        Dockside
      </Link>
      <nav className="text-sm text-muted">
        <Link href="/" className="hover:text-fg">
          Sessions
        </Link>
      </nav>
    </header>
  );
}
