// Downloads of the whole session (prompt, messages, tool calls and output) as Markdown or JSON.
// Plain links: the browser sends the session cookie and saves what the server names.
export function ExportLinks({ sessionId }: { sessionId: string }) {
  const base = `/api/sessions/${encodeURIComponent(sessionId)}/export`;
  const cls = "rounded-md border border-line bg-panel px-2 py-1 text-xs hover:bg-sunken";
  return (
    <span className="flex items-center gap-1.5">
      <a href={`${base}?format=md`} download data-testid="export-md" className={cls}>
        Export Markdown
      </a>
      <a href={`${base}?format=json`} download data-testid="export-json" className={cls}>
        Export JSON
      </a>
    </span>
  );
}
