// The frame around the sign-in and sign-up forms.
import type { ReactNode } from "react";

export function AuthCard({ title, children, footer }: { title: string; children: ReactNode; footer: ReactNode }) {
  return (
    <div className="h-full overflow-y-auto">
      <div className="mx-auto max-w-sm space-y-4 px-4 py-16">
        <h1 className="text-lg font-semibold">{title}</h1>
        <div className="rounded-lg border border-line bg-panel p-4">{children}</div>
        <p className="text-center text-sm text-muted">{footer}</p>
      </div>
    </div>
  );
}
