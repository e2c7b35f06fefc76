// The few form pieces the account, settings and history pages share.
import type { ReactNode } from "react";

export const inputClass =
  "w-full rounded-md border border-line bg-canvas px-2.5 py-1.5 text-sm outline-none placeholder:text-muted/70 focus:border-accent focus:ring-1 focus:ring-accent disabled:opacity-60";

export const primaryButton =
  "rounded-md bg-accent px-3 py-1.5 text-sm font-medium text-white hover:opacity-90 disabled:opacity-50";

export const secondaryButton =
  "rounded-md border border-line bg-panel px-3 py-1.5 text-sm hover:bg-sunken disabled:opacity-50";

export const dangerButton =
  "rounded-md border border-red-500/40 px-3 py-1.5 text-sm font-medium text-red-700 hover:bg-red-500/10 disabled:opacity-50 dark:text-red-300";

export function Field({ label, htmlFor, children }: { label: string; htmlFor: string; children: ReactNode }) {
  return (
    <div className="space-y-1">
      <label htmlFor={htmlFor} className="block text-xs font-medium text-muted">
        {label}
      </label>
      {children}
    </div>
  );
}

export function ErrorNote({ testId, children }: { testId?: string; children: ReactNode }) {
  return (
    <p role="alert" data-testid={testId} className="text-sm text-red-700 dark:text-red-400">
      {children}
    </p>
  );
}

export function Panel({ title, children, testId }: { title: string; children: ReactNode; testId?: string }) {
  return (
    <section data-testid={testId} className="rounded-lg border border-line bg-panel">
      <h2 className="border-b border-line px-4 py-2.5 text-sm font-semibold">{title}</h2>
      <div className="space-y-3 p-4">{children}</div>
    </section>
  );
}
