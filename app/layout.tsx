import type { Metadata } from "next";
import { headers } from "next/headers";
import type { ReactNode } from "react";
import { AppHeader } from "@/components/app-header";
import { AuthGate } from "@/components/auth-gate";
import { HealthBanner } from "@/components/health-banner";
import { MeProvider } from "@/components/me-provider";
import { ShortcutsOverlay } from "@/components/shortcuts-overlay";
import { initialMe } from "@/lib/teams/initial-me";
import "./globals.css";

export const metadata: Metadata = {
  title: "Dockside",
  description: "Run Claude coding agents against your repositories in Docker sandboxes.",
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  // Read here so the HTML holds the signed-in page, not "Loading…" until GET /api/me answers.
  const me = await initialMe(new Headers(await headers()));
  return (
    <html lang="en">
      <body className="flex h-full flex-col">
        <MeProvider initial={me}>
          <AppHeader />
          <HealthBanner />
          <main className="min-h-0 flex-1">
            <AuthGate>{children}</AuthGate>
          </main>
          <ShortcutsOverlay />
        </MeProvider>
      </body>
    </html>
  );
}
