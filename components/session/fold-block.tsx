// The frame of a foldable transcript block (tool call, setup phase, hook): a bordered panel whose
// header line is one button that folds and unfolds the body. The blocks differ only in what their
// header says and what their body holds.
import type { ReactNode } from "react";

export function FoldBlock({
  testId,
  data,
  border = "border-line",
  open,
  onToggle,
  toggleTestId,
  wrap = false,
  header,
  children,
}: {
  testId: string;
  /** data-* attributes for tests and styling (keys without the data- prefix). */
  data?: Record<string, string | boolean | undefined>;
  border?: string;
  open: boolean;
  onToggle(): void;
  toggleTestId: string;
  /** Let the header wrap onto two lines (long commands on a phone). */
  wrap?: boolean;
  header: ReactNode;
  children?: ReactNode;
}) {
  const attrs = Object.fromEntries(Object.entries(data ?? {}).map(([k, v]) => [`data-${k}`, v === undefined ? undefined : String(v)]));
  return (
    <div data-testid={testId} {...attrs} className={`overflow-hidden rounded-md border bg-panel ${border}`}>
      <button
        type="button"
        data-testid={toggleTestId}
        aria-expanded={open}
        onClick={onToggle}
        className={`flex w-full items-center px-3 py-1.5 text-left text-xs hover:bg-sunken ${wrap ? "flex-wrap gap-x-2 gap-y-1" : "gap-2"}`}
      >
        <span aria-hidden className="w-3 text-muted">
          {open ? "▾" : "▸"}
        </span>
        {header}
      </button>
      {children}
    </div>
  );
}
