import type { Metadata } from "next";
import type { ReactNode } from "react";
import { AppHeader } from "@/components/app-header";
import { AuthGate } from "@/components/auth-gate";
import { HealthBanner } from "@/components/health-banner";
import { MeProvider } from "@/components/me-provider";
import { ShortcutsOverlay } from "@/components/shortcuts-overlay";
import "./globals.css";

export const metadata: Metadata = {
  title: "Dockside",
  description: "Run Claude coding agents against your repositories in Docker sandboxes.",
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body className="flex h-full flex-col">
        <MeProvider>
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
